namespace Cake.PbDeploy;

/// <summary>
/// What the <c>PbDeployHosts</c>, <c>PbDeployHostsStop</c> and <c>PbDeployHostsStatus</c> aliases act on over the
/// manifest's <c>hosts</c>, and how (the CLI's <c>--hosts</c>, <c>--services</c>, <c>--quick</c>, <c>--no-deps</c>,
/// <c>--sync</c>). Set its properties, chain the <c>With...</c> extensions of <see cref="PbDeploySettingsExtensions"/>,
/// or pass an <c>Action&lt;PbDeployHostSettings&gt;</c> to the alias.
/// </summary>
/// <example>
/// <code>
/// PbDeployHosts("pbdeploy.json", new PbDeployHostSettings { Hosts = { "web1" }, Sync = true });
/// PbDeployHosts("pbdeploy.json", new PbDeployHostSettings().WithServices("web").WithSync());
/// PbDeployHosts("pbdeploy.json", s => s.Quick = HasArgument("quick"));
/// </code>
/// </example>
public sealed class PbDeployHostSettings
{
    /// <summary>The hosts to act on, by name; empty (the default) for all of the manifest's hosts. Null counts as empty.</summary>
    public IList<string> Hosts { get; set => field = value ?? []; } = [];

    /// <summary>
    /// The services each host deploys, stops or reports; empty (the default) for all of them. A deploy also deploys
    /// what they depend on (unless <see cref="NoDependencies"/>); a stop stops only those named. Null counts as empty.
    /// </summary>
    public IList<string> Services { get; set => field = value ?? []; } = [];

    /// <summary>The hosts skip the before and after commands (the CLI's <c>--quick</c>). Ignored by a stop and by status.</summary>
    public bool Quick { get; set; }

    /// <summary>The hosts deploy only the services named in <see cref="Services"/>, not what they depend on (the CLI's <c>--no-deps</c>).</summary>
    public bool NoDependencies { get; set; }

    /// <summary>First copy the project folder to each host's <c>dir</c> (<c>rsync -a --delete</c> over ssh; the CLI's <c>--sync</c>). Ignored by a stop and by status.</summary>
    public bool Sync { get; set; }

    /// <summary>How long each host waits for another deploy of its project to finish (default 10 minutes).</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
