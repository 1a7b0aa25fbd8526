namespace Cake.PbDeploy;

/// <summary>
/// What the <c>PbDeploy</c> and <c>PbDeployStop</c> aliases act on (on this machine), and how. Set its properties, chain the
/// <c>With...</c> extensions of <see cref="PbDeploySettingsExtensions"/>, or pass an <c>Action&lt;PbDeploySettings&gt;</c>
/// to the alias.
/// </summary>
/// <example>
/// <code>
/// var settings = new PbDeploySettings { Services = { "web" } };
/// settings.Quick = HasArgument("quick");
/// PbDeploy("pbdeploy.json", settings);
///
/// PbDeploy("pbdeploy.json", new PbDeploySettings().WithServices("web").WithQuick());
/// PbDeploy("pbdeploy.json", s => s.Quick = true);
/// </code>
/// </example>
public sealed class PbDeploySettings
{
    /// <summary>
    /// The services to deploy or stop; empty (the default) for all of them. <c>PbDeploy</c> also deploys what they
    /// depend on (unless <see cref="NoDependencies"/>); <c>PbDeployStop</c> stops only those named. Null counts as empty.
    /// </summary>
    public IList<string> Services { get; set => field = value ?? []; } = [];

    /// <summary>Skip the before and after commands (the CLI's <c>--quick</c>). Ignored by <c>PbDeployStop</c>.</summary>
    public bool Quick { get; set; }

    /// <summary>Deploy only the services named in <see cref="Services"/>, not what they depend on (the CLI's <c>--no-deps</c>).</summary>
    public bool NoDependencies { get; set; }

    /// <summary>How long to wait for another deploy of the same project to finish (default 10 minutes).</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Act on this machine even though the manifest has <c>hosts</c> (the CLI's <c>--local</c>). Without it,
    /// <c>PbDeploy</c> and <c>PbDeployStop</c> refuse such a manifest, starting nothing: <c>PbDeployHosts</c> and
    /// <c>PbDeployHostsStop</c> act on its hosts.
    /// </summary>
    public bool Local { get; set; }
}
