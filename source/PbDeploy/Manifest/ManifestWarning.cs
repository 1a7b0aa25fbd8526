namespace PbDeploy.Manifest;

/// <summary>Something in the manifest that works but is probably not what was meant.</summary>
/// <param name="Location">Where it is.</param>
/// <param name="Message">What it is and what to do, e.g. <c>'daemonize' is not a setting; did you mean 'daemonizes'?</c></param>
public sealed record ManifestWarning(SourceLocation Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Location}: {Message}";
}
