namespace Cake.PbDeploy;

/// <summary>
/// How <c>PbDeployTasks</c> names its tasks and what the umbrella tasks act on. A setting left null follows the
/// script's command line (<c>--services=</c>, <c>--quick</c>, <c>--no-deps</c>). Set its properties, chain the
/// <c>With...</c> extensions of <see cref="PbDeploySettingsExtensions"/>, or pass an
/// <c>Action&lt;PbDeployTaskSettings&gt;</c> to <c>PbDeployTasks</c>.
/// </summary>
/// <example>
/// <code>
/// var site = PbDeployTasks("site/pbdeploy.json", new PbDeployTaskSettings().WithTaskPrefix("Site.").WithServices("web"));
/// var api = PbDeployTasks("api/pbdeploy.json", s => s.TaskPrefix = "Api.");
/// </code>
/// </example>
public sealed class PbDeployTaskSettings
{
    /// <summary>
    /// The services of the umbrella tasks (<c>Before</c>, <c>StartOrRestart</c>, <c>After</c>, <c>Stop</c>,
    /// <c>Deploy</c>). Null (the default): the script's <c>--services=web,api</c> argument, or all services without it.
    /// The per-service tasks (<c>Deploy:web</c> ...) always act on their own service.
    /// </summary>
    public IList<string>? Services { get; set; }

    /// <summary>
    /// Skip the Before and After tasks. Null (the default): skip them when the script gets <c>--quick</c> (a bare
    /// <c>--quick</c> or <c>--quick=true</c>).
    /// </summary>
    public bool? Quick { get; set; }

    /// <summary>
    /// Deploy only the services named (by <see cref="Services"/>, <c>--services</c> or a task's <c>:NAME</c>), not what
    /// they depend on. Null (the default): when the script gets <c>--no-deps</c>. <c>Stop</c> tasks never stop what the
    /// services depend on.
    /// </summary>
    public bool? NoDependencies { get; set; }

    /// <summary>
    /// For a manifest with <c>hosts</c>: the hosts <c>Deploy</c> and <c>Stop</c> (and <c>Deploy:NAME</c>,
    /// <c>Stop:NAME</c>) act on, by name. Null (the default): the script's <c>--hosts=web1,web2</c> argument, or every
    /// host without it. The per-host tasks (<c>Deploy@web1</c>, <c>Stop@web1</c>) always act on their own host.
    /// </summary>
    public IList<string>? Hosts { get; set; }

    /// <summary>
    /// Act on this machine even where the manifest has <c>hosts</c> (what each host runs): the tasks then deploy as
    /// they do for a manifest without hosts, and the per-host tasks refuse to run. Null (the default): when the script
    /// gets <c>--local</c>.
    /// </summary>
    public bool? Local { get; set; }

    /// <summary>
    /// Over hosts: first copy the project folder to each host's <c>dir</c> (<c>rsync -a --delete</c> over ssh). Null
    /// (the default): when the script gets <c>--sync</c>.
    /// </summary>
    public bool? Sync { get; set; }

    /// <summary>How long to wait for another deploy of the same project to finish (default 10 minutes).</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Put before every task name, so that two manifests, or a script that already has a <c>Deploy</c> task, can
    /// coexist: with <c>"Api."</c> the tasks are <c>Api.Deploy</c>, <c>Api.Deploy:web</c> ... The dictionary that
    /// <c>PbDeployTasks</c> returns is still keyed by the names without the prefix (<c>"Deploy"</c>, <c>"Deploy:web"</c>).
    /// </summary>
    public string TaskPrefix { get; set => field = value ?? ""; } = "";
}
