namespace PbDeploy.Manifest;

/// <summary>A key of a manifest object and its value.</summary>
/// <param name="Name">The key, decoded.</param>
/// <param name="Location">Where the key starts: its opening quote.</param>
/// <param name="Value">The value.</param>
public sealed record ManifestProperty(string Name, SourceLocation Location, ManifestValue Value);
