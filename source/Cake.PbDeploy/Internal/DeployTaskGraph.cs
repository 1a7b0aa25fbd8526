using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using PbDeploy.Deployment;
using PbDeploy.Hosts;
using PbDeploy.Manifest;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// The tasks generated from a manifest. <c>Deploy</c> and <c>Deploy:NAME</c> deploy as the command line does, all by
/// themselves (so <c>--exclusive</c> works): one pipeline per service (before → start/restart → after), a service
/// after the whole pipelines of those it depends on. They still depend on their phase tasks, so that a user task wired
/// before <c>Before</c> (Publish) runs first, but a phase task that a <c>Deploy</c> of the same run covers does nothing
/// (it says so in Cake's summary). Run on their own, the phase tasks keep their phase-wide meaning and share the core's
/// <see cref="PhaseRunner"/>, so that After knows what Before and StartOrRestart did.
/// </summary>
/// <remarks>
/// <para>
/// One deploy session per Cake run: the first generated task that runs takes a hold on the project's lock
/// (<see cref="Deployer.HoldLockAsync"/>), which every later task and every alias of this process joins instead of
/// waiting for its own lock; the hold ends after the last generated task of the run, and in any case before the
/// script's teardowns run (Cake's <c>BeforeTeardown</c> event: no Teardown section of our own in Cake's report).
/// </para>
/// <para>
/// The manifest is read when the script loads only to name the per-service tasks (a manifest that cannot be read
/// then registers the umbrella tasks alone), and read again when the first generated task runs, so that an earlier
/// task may write it. Each task fails with its own failure, after the independent services finished their phase.
/// </para>
/// <para>
/// A manifest with <c>hosts</c> (and no <c>--local</c>): <c>Deploy</c> and <c>Stop</c> (and per service) act on the
/// hosts through <see cref="HostDeployer"/>, following the rollout, and each host has its <c>Deploy@HOST</c> and
/// <c>Stop@HOST</c>. The phase tasks then refuse to run (they would run on this machine), unless a deploy covers them.
/// No hold on this machine's lock then: each host's pbdeploy takes its own.
/// </para>
/// </remarks>
internal sealed class DeployTaskGraph
{
    private const string Caller = "PbDeployTasks";
    private static readonly string[] Umbrella = ["Before", "StartOrRestart", "After", "Stop", "Deploy"];

    private readonly ICakeContext _context;
    private readonly string _manifestPath;
    private readonly PbDeployTaskSettings _settings;
    private readonly HashSet<string> _perService = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ours = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _toRun = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal); // services whose failure a task already gave
    private readonly List<string> _hostDeploys = []; // Deploy@HOST, with the prefix
    private readonly HashSet<string> _hostTasks = new(StringComparer.OrdinalIgnoreCase); // Deploy@HOST and Stop@HOST, with the prefix
    private readonly Dictionary<string, Func<bool>> _phases = new(StringComparer.OrdinalIgnoreCase); // phase task → covered by a deploy of this run
    private string? _lastToRun;
    private Session? _session;

    private DeployTaskGraph(ICakeContext context, string manifestPath, PbDeployTaskSettings settings)
    {
        _context = context;
        _manifestPath = manifestPath;
        _settings = settings;
    }

    private string Prefix => _settings.TaskPrefix;

    public static PbDeployTaskCollection Register(ICakeContext context, FilePath manifestPath, PbDeployTaskSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(manifestPath);
        ArgumentNullException.ThrowIfNull(settings);
        var engine = context.ServiceProvider.GetService(typeof(ICakeEngine)) as ICakeEngine
            ?? throw new CakeException("PbDeployTasks: this Cake host offers no ICakeEngine to register tasks with; call it from a Cake script (dotnet cake), before RunTarget.");
        var graph = new DeployTaskGraph(context, Manifests.PathOf(context, manifestPath), settings);
        DeployManifest? manifest = null;
        try
        {
            manifest = Manifests.Read(context, graph._manifestPath, Caller);
        }
        catch (CakeException e)
        {
            // Not now: the script may have other targets, and an earlier task may write the manifest.
            context.Log.Verbose("{0}", $"{graph.Log.Prefix}PbDeploy: {graph._manifestPath} cannot be read now, so only the tasks {string.Join(", ", Umbrella.Select(t => settings.TaskPrefix + t))} are registered; they read it again when they run. {e.Message}");
        }

        var names = Umbrella
            .Concat(manifest?.Services.SelectMany(s => Umbrella.Select(t => $"{t}:{s.Name}")) ?? [])
            .Concat(manifest?.Hosts.SelectMany(h => (string[])[$"Deploy@{h.Name}", $"Stop@{h.Name}"]) ?? [])
            .ToList();
        var clashes = names.Select(n => settings.TaskPrefix + n).Where(n => engine.Tasks.Any(t => string.Equals(t.Name, n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (clashes.Count > 0)
        {
            var example = settings.TaskPrefix.Length == 0 ? "Site." : $"Other{settings.TaskPrefix}";
            throw new CakeException(
                $"PbDeployTasks(\"{manifestPath}\"): the script already has a task named {string.Join(", ", clashes.Select(c => $"'{c}'"))}; " +
                $"give PbDeploy's tasks a prefix: PbDeployTasks(\"{manifestPath}\", new PbDeployTaskSettings {{ TaskPrefix = \"{example}\" }}) names them {example}Deploy, {example}Before ...");
        }

        var tasks = new Dictionary<string, CakeTaskBuilder>(StringComparer.OrdinalIgnoreCase);
        var onHosts = manifest is { Hosts.Count: > 0 } ? $"; on the hosts {string.Join(", ", manifest.Hosts.Select(h => h.Name))} (or --hosts=a,b), or here with --local" : "";
        graph.AddPhases(engine, tasks, "", services: null, "every service (or --services=a,b)", onHosts);
        foreach (var service in manifest?.Services ?? [])
        {
            graph._perService.Add(service.Name);
            graph.AddPhases(engine, tasks, $":{service.Name}", [service.Name], $"{service.Name} ({Where(service)})", onHosts);
        }

        foreach (var host in manifest?.Hosts ?? [])
        {
            graph.AddHost(engine, tasks, host);
        }

        // Which tasks this run executes is known once Cake has built its graph, before the first task runs: then the
        // names of --services are checked (against the manifest, if it can be read yet), before Build and Publish run.
        engine.RegisterSetupAction(setup => graph.Setup(setup));
        // Before the script's own teardowns, which may stop what was deployed: no wait for our own lock.
        engine.BeforeTeardown += (_, _) => graph.End();
        return new PbDeployTaskCollection(tasks, tasks.Keys.Where(k => !k.StartsWith("Stop", StringComparison.Ordinal)));
    }

    private CakeDeployLog Log => _session?.Log ?? new CakeDeployLog(_context.Log, Prefix);

    private CakeTaskBuilder Add(ICakeEngine engine, Dictionary<string, CakeTaskBuilder> tasks, string name, string description)
    {
        var builder = engine.RegisterTask(Prefix + name).Description(description);
        tasks.Add(name, builder);
        _ = _ours.Add(Prefix + name);
        return builder;
    }

    private void AddPhases(ICakeEngine engine, Dictionary<string, CakeTaskBuilder> tasks, string suffix, IReadOnlyList<string>? services, string what, string onHosts)
    {
        CakeTaskBuilder Add(string name, string description) => this.Add(engine, tasks, name + suffix, description);

        var deployName = Prefix + "Deploy" + suffix;
        var deployWhat = services is null ? what : $"{what} and what it depends on";
        // The umbrella phases are also covered by a Deploy@HOST of the run (which depends on them, for the user's wiring).
        bool Covered() => _toRun.Contains(deployName) || (services is null && _hostDeploys.Any(_toRun.Contains));
        const string coveredByDeploy = "Deploy runs it";
        var here = onHosts.Length == 0 ? "" : "; on this machine (--local)";
        var before = Add("Before", $"PbDeploy: before commands of {what}, for all of them at once; skipped with --quick{here}")
            .WithCriteria(_ => !Covered(), coveredByDeploy)
            .WithCriteria(context => !Quick(context), "--quick");
        _ = before.Does(context => RunAsync(context, before.Task.Name, services, s => PhaseAsync(s, context, before.Task.Name, Phase.Before, services)));
        var startOrRestart = Add("StartOrRestart", $"PbDeploy: render templates, start or restart {what}, for all of them at once{here}")
            .WithCriteria(_ => !Covered(), coveredByDeploy);
        _ = startOrRestart.Does(context => RunAsync(context, startOrRestart.Task.Name, services, s => PhaseAsync(s, context, startOrRestart.Task.Name, Phase.StartOrRestart, services)));
        var after = Add("After", $"PbDeploy: after commands of {what}, for all of them at once; skipped with --quick{here}")
            .WithCriteria(_ => !Covered(), coveredByDeploy)
            .WithCriteria(context => !Quick(context), "--quick");
        _ = after.Does(context => RunAsync(context, after.Task.Name, services, s => PhaseAsync(s, context, after.Task.Name, Phase.After, services)));
        foreach (var phase in (CakeTaskBuilder[])[before, startOrRestart, after])
        {
            _phases[phase.Task.Name] = Covered;
        }

        var stop = Add("Stop", $"PbDeploy: stop {what}{onHosts}");
        _ = stop.Does(context => RunAsync(context, stop.Task.Name, services, s => PhaseAsync(s, context, stop.Task.Name, Phase.Stop, services)));
        var deploy = Add("Deploy", $"PbDeploy: deploy {deployWhat} as pbdeploy does: before, start/restart, after, service by service{onHosts}")
            .IsDependentOn(before)
            .IsDependentOn(startOrRestart)
            .IsDependentOn(after);
        _ = deploy.Does(context => RunAsync(context, deployName, services, s => DeployAsync(s, context, services)));
    }

    /// <summary><c>Deploy@HOST</c> and <c>Stop@HOST</c>: every service (or <c>--services</c>) on that host alone.</summary>
    private void AddHost(ICakeEngine engine, Dictionary<string, CakeTaskBuilder> tasks, HostDefinition host)
    {
        var where = $"on host {host.Name} (ssh {host.Ssh}, dir {host.Dir})";
        var deployName = Prefix + "Deploy@" + host.Name;
        _hostDeploys.Add(deployName);
        _ = _hostTasks.Add(deployName);
        _ = _hostTasks.Add(Prefix + "Stop@" + host.Name);
        // On the umbrella phases, as Deploy: a user task wired before Before (Publish) runs first; they skip themselves.
        var deploy = Add(engine, tasks, "Deploy@" + host.Name, $"PbDeploy: deploy every service (or --services=a,b) {where}, as pbdeploy --hosts {host.Name} does")
            .IsDependentOn(Prefix + "Before")
            .IsDependentOn(Prefix + "StartOrRestart")
            .IsDependentOn(Prefix + "After");
        _ = deploy.Does(context => RunAsync(context, deployName, null, s => HostsAsync(s, context, deployName, stop: false, services: null, host.Name)));
        var stopName = Prefix + "Stop@" + host.Name;
        var stop = Add(engine, tasks, "Stop@" + host.Name, $"PbDeploy: stop every service (or --services=a,b) {where}");
        _ = stop.Does(context => RunAsync(context, stopName, null, s => HostsAsync(s, context, stopName, stop: true, services: null, host.Name)));
    }

    private void Setup(ISetupContext setup)
    {
        var toRun = setup.TasksToExecute.Select(t => t.Name).ToList();
        _toRun.UnionWith(toRun);
        _lastToRun = toRun.LastOrDefault(_ours.Contains);
        if (_lastToRun is null)
        {
            return;
        }

        DeployManifest manifest;
        try
        {
            manifest = Manifests.Read(setup, _manifestPath, Caller);
        }
        catch (CakeException)
        {
            return; // an earlier task may write it; the first of ours says what is wrong with it
        }

        var services = UmbrellaServices(setup);
        if (services.Count > 0 && services.FirstOrDefault(n => manifest.Services.All(s => s.Name != n)) is { } unknown)
        {
            var source = _settings.Services is null ? $"--services={string.Join(',', services)}" : "PbDeployTaskSettings.Services";
            throw new CakeException($"PbDeploy: {source}: {manifest.Path} has no service '{unknown}'; its services are: {string.Join(", ", manifest.Services.Select(s => s.Name))}.");
        }

        // Before Build and Publish run: a wrong host, a phase that would run here, a per-host task with --local.
        if (OverHosts(setup, manifest))
        {
            if (HostNames(setup) is { } hosts)
            {
                _ = Manifests.Run(() => new HostDeployer(manifest).Select(hosts));
            }

            if (toRun.FirstOrDefault(t => _phases.TryGetValue(t, out var covered) && !covered()) is { } phase)
            {
                throw new CakeException(PhaseOverHosts(phase, manifest));
            }
        }
        else if (toRun.FirstOrDefault(t => _hostTasks.Contains(t)) is { } hostTask)
        {
            throw new CakeException(HostTaskHere(hostTask, manifest));
        }
    }

    /// <summary>
    /// Over hosts: <c>--hosts</c> (or <see cref="PbDeployTaskSettings.Hosts"/>) was given, or the manifest has hosts and
    /// <c>--local</c> was not given. Refuses what cannot go together, as the command line does.
    /// </summary>
    private bool OverHosts(ICakeContext context, DeployManifest manifest)
    {
        var local = _settings.Local ?? ScriptArguments.Local(context.Arguments);
        var hosts = HostNames(context);
        var sync = Sync(context);
        if (local && hosts is not null)
        {
            throw new CakeException($"PbDeploy: {(_settings.Hosts is null ? "--hosts" : "PbDeployTaskSettings.Hosts")} and {(_settings.Local is null ? "--local" : "PbDeployTaskSettings.Local")} cannot be used together: --local acts on this machine.");
        }

        var over = !local && (hosts is not null || manifest.Hosts.Count > 0);
        if (sync && !over)
        {
            throw new CakeException(local
                ? "PbDeploy: --sync copies the project to the hosts; it cannot go with --local."
                : $"PbDeploy: --sync copies the project to the hosts, and {manifest.Path} has none; add \"hosts\" to it.");
        }

        return over;
    }

    private IReadOnlyList<string>? HostNames(ICakeContext context) => _settings.Hosts?.ToList() ?? ScriptArguments.Hosts(context.Arguments);

    private bool Sync(ICakeContext context) => _settings.Sync ?? ScriptArguments.Sync(context.Arguments);

    private string PhaseOverHosts(string task, DeployManifest manifest) =>
        $"{Log.Prefix}PbDeploy: task {task} runs its phase on this machine, and {manifest.Path} has hosts ({string.Join(", ", manifest.Hosts.Select(h => h.Name))}): " +
        $"run {Prefix}Deploy (every host) or {Prefix}Deploy@{manifest.Hosts.FirstOrDefault()?.Name ?? "HOST"} (one host), or pass --local to run it here.";

    private string HostTaskHere(string task, DeployManifest manifest) =>
        $"{Log.Prefix}PbDeploy: task {task} acts on a host of {manifest.Path}, and {(_settings.Local is null ? "--local" : "PbDeployTaskSettings.Local")} says to act on this machine: drop --local, or run {Prefix}Deploy or {Prefix}Stop.";

    /// <summary>Runs a generated task: loads the manifest and joins the run's session first; ends the session after the run's last task of ours.</summary>
    private async Task RunAsync(ICakeContext context, string task, IReadOnlyList<string>? services, Func<Session, Task> run)
    {
        try
        {
            var session = await OpenAsync(context).ConfigureAwait(false);
            if (services is [var name] && session.Manifest.Services.All(s => s.Name != name))
            {
                throw new CakeException($"PbDeploy: task {task}: {session.Manifest.Path} no longer has a service '{name}' (it had when the script loaded); its services are: {string.Join(", ", session.Manifest.Services.Select(s => s.Name))}.");
            }

            await run(session).ConfigureAwait(false);
        }
        finally
        {
            if (string.Equals(task, _lastToRun, StringComparison.OrdinalIgnoreCase))
            {
                End();
            }
        }
    }

    private async Task<Session> OpenAsync(ICakeContext context)
    {
        if (_session is { } open)
        {
            return open;
        }

        // Read again now: an earlier task (a generator, a checkout) may have written it since the script loaded.
        var manifest = Manifests.Load(context, _manifestPath, Caller, new CakeDeployLog(context.Log, Prefix).Prefix);
        var log = new CakeDeployLog(context.Log, Prefix, manifest);
        var deployer = new Deployer(manifest, log.OnEvent);
        log.Diagnostics(manifest, deployer);
        var overHosts = OverHosts(context, manifest);
        if (overHosts)
        {
            // Each host's pbdeploy takes the lock of its own project: none here (a host may be this machine).
            _session = new Session(manifest, log, deployer, new PhaseRunner(deployer), new NoHold()) { OverHosts = true };
            return _session;
        }

        using var interruption = new Interruption();
        var hold = await Manifests.RunAsync(() => deployer.HoldLockAsync(_settings.LockTimeout, interruption.Token)).ConfigureAwait(false);
        _session = new Session(manifest, log, deployer, new PhaseRunner(deployer), hold);
        return _session;
    }

    /// <summary>Ends the run's session: the phases' shared state, and the hold on the project's lock.</summary>
    private void End()
    {
        var session = _session;
        _session = null;
        session?.Dispose();
    }

    private DeployOptions Options(ICakeContext context, IReadOnlyList<string>? services) => new()
    {
        Services = services ?? UmbrellaServices(context),
        NoDependencies = _settings.NoDependencies ?? ScriptArguments.NoDependencies(context.Arguments),
        LockTimeout = _settings.LockTimeout,
    };

    private IReadOnlyList<string> UmbrellaServices(ICakeContext context) => _settings.Services?.ToList() ?? ScriptArguments.Services(context.Arguments);

    private async Task PhaseAsync(Session session, ICakeContext context, string task, Phase phase, IReadOnlyList<string>? services)
    {
        if (session.OverHosts)
        {
            await (phase == Phase.Stop
                ? HostsAsync(session, context, task, stop: true, services, host: null)
                : throw new CakeException(PhaseOverHosts(task, session.Manifest))).ConfigureAwait(false);
            return;
        }

        var options = Options(context, services);
        if (phase == Phase.StartOrRestart && options.NoDependencies)
        {
            session.Log.WarnStoppedDependencies(session.Manifest, options.Services);
        }

        using var interruption = new Interruption();
        var outcomes = await Manifests.RunAsync(() => session.Runner.RunAsync(phase, options, interruption.Token)).ConfigureAwait(false);
        Fail(session, DeployText.Phase(phase), outcomes, interruption.Token.IsCancellationRequested);
    }

    /// <summary><c>Deploy</c>: the pipelines, as <c>pbdeploy</c> runs them; the task fails naming every failed service.</summary>
    private async Task DeployAsync(Session session, ICakeContext context, IReadOnlyList<string>? services)
    {
        if (session.OverHosts)
        {
            await HostsAsync(session, context, Prefix + "Deploy", stop: false, services, host: null).ConfigureAwait(false);
            return;
        }

        session.Runner.Close(); // the phases' shared state: a deploy reads what runs afresh
        var options = Options(context, services) with { Quick = Quick(context) };
        if (options.NoDependencies)
        {
            session.Log.WarnStoppedDependencies(session.Manifest, options.Services);
        }

        using var interruption = new Interruption();
        var result = await Manifests.RunAsync(() => session.Deployer.DeployAsync(options, interruption.Token)).ConfigureAwait(false);
        Fail(session, "deploy", result.Outcomes, result.Interrupted);
    }

    /// <summary>
    /// A deploy or stop over hosts, as <c>pbdeploy --hosts</c> runs it (batches of the rollout, <c>--sync</c>,
    /// <c>--quick</c>, <c>--no-deps</c>); the task fails naming every host that did not succeed.
    /// </summary>
    private async Task HostsAsync(Session session, ICakeContext context, string task, bool stop, IReadOnlyList<string>? services, string? host)
    {
        if (!session.OverHosts)
        {
            throw new CakeException(HostTaskHere(task, session.Manifest));
        }

        var options = Options(context, services) with { Quick = !stop && Quick(context) };
        var hostOptions = new HostRunOptions
        {
            Deploy = options,
            Hosts = host is null ? HostNames(context) ?? [] : [host],
            Sync = Sync(context),
        };
        _ = await HostRuns.RunAsync(session.Log, session.Manifest, hostOptions, stop).ConfigureAwait(false);
    }

    /// <summary>
    /// Fails the task with the failures of its services, each said once in the run: a service a task before already
    /// failed (Before, with ContinueOnError) is only skipped in the later phases, which then need not fail again.
    /// </summary>
    private void Fail(Session session, string what, IReadOnlyList<ServiceOutcome> outcomes, bool interrupted)
    {
        var fresh = outcomes.Where(o => o.IsFailure && !_reported.Contains(o.Service)).ToList();
        _reported.UnionWith(fresh.Select(o => o.Service));
        if (DeployText.Failures(what, fresh) is { } failure)
        {
            throw new CakeException(session.Log.Prefix + failure);
        }

        if (interrupted)
        {
            throw new CakeException($"{session.Log.Prefix}PbDeploy {what} was interrupted: the steps that were running were stopped and nothing more was run.");
        }
    }

    private bool Quick(ICakeContext context) => _settings.Quick ?? ScriptArguments.Quick(context.Arguments);

    private static string Where(ServiceDefinition service) => service switch
    {
        { Ports: { } ports } => $"ports {ports[0]} and {ports[1]}",
        { Port: { } port } => $"port {port}",
        _ => $"pidfile {service.Pidfile}",
    };

    /// <summary>What the generated tasks of one run share: the manifest as read by the first, its deployer, the phases' runner, and the hold on the lock.</summary>
    private sealed record Session(DeployManifest Manifest, CakeDeployLog Log, Deployer Deployer, PhaseRunner Runner, IDisposable Hold) : IDisposable
    {
        /// <summary>Deploy and Stop act on the manifest's hosts; no hold on this machine's lock.</summary>
        public bool OverHosts { get; init; }

        public void Dispose()
        {
            Runner.Close();
            Hold.Dispose();
        }
    }

    private sealed class NoHold : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
