namespace PbDeploy.Manifest;

/// <summary>A manifest that cannot be used: invalid JSON, a wrong type, a missing or contradictory setting.</summary>
public sealed class ManifestException(SourceLocation location, string problem) : LocatedException(location, problem);
