namespace PbDeploy.Manifest;

/// <summary>A host of the manifest's <c>hosts</c>: where the same deploy runs over OpenSSH.</summary>
public sealed record HostDefinition
{
    /// <summary>The host's name in the manifest (what <c>--hosts</c> names and every output line shows).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Where <c>ssh</c> connects: any destination it accepts (an alias of the ssh config, <c>user@host</c>,
    /// <c>ssh://user@host:port</c>); never one starting with <c>-</c>.
    /// </summary>
    public required string Ssh { get; init; }

    /// <summary>The project folder on the host (absolute): its <c>pbdeploy.json</c> is the one deployed there.</summary>
    public required string Dir { get; init; }

    /// <summary>The <c>pbdeploy</c> program on the host; null: <c>pbdeploy</c> on the remote shell's PATH.</summary>
    public string? Pbdeploy { get; init; }

    /// <summary>Where the host is in the manifest, for messages.</summary>
    public SourceLocation? Location { get; init; }
}
