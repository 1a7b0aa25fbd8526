using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using PbDeploy.Deployment;
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

        var names = Umbrella.Concat(manifest?.Services.SelectMany(s => Umbrella.Select(t => $"{t}:{s.Name}")) ?? []).ToList();
        var clashes = names.Select(n => settings.TaskPrefix + n).Where(n => engine.Tasks.Any(t => string.Equals(t.Name, n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (clashes.Count > 0)
        {
            var example = settings.TaskPrefix.Length == 0 ? "Site." : $"Other{settings.TaskPrefix}";
            throw new CakeException(
                $"PbDeployTasks(\"{manifestPath}\"): the script already has a task named {string.Join(", ", clashes.Select(c => $"'{c}'"))}; " +
                $"give PbDeploy's tasks a prefix: PbDeployTasks(\"{manifestPath}\", new PbDeployTaskSettings {{ TaskPrefix = \"{example}\" }}) names them {example}Deploy, {example}Before ...");
        }

        var tasks = new Dictionary<string, CakeTaskBuilder>(StringComparer.OrdinalIgnoreCase);
        graph.AddPhases(engine, tasks, "", services: null, "every service (or --services=a,b)");
        foreach (var service in manifest?.Services ?? [])
        {
            graph._perService.Add(service.Name);
            graph.AddPhases(engine, tasks, $":{service.Name}", [service.Name], $"{service.Name} ({Where(service)})");
        }

        // Which tasks this run executes is known once Cake has built its graph, before the first task runs: then the
        // names of --services are checked (against the manifest, if it can be read yet), before Build and Publish run.
        engine.RegisterSetupAction(setup => graph.Setup(setup));
        // Before the script's own teardowns, which may stop what was deployed: no wait for our own lock.
        engine.BeforeTeardown += (_, _) => graph.End();
        return new PbDeployTaskCollection(tasks, tasks.Keys.Where(k => !k.StartsWith("Stop", StringComparison.Ordinal)));
    }

    private CakeDeployLog Log => _session?.Log ?? new CakeDeployLog(_context.Log, Prefix);

    private void AddPhases(ICakeEngine engine, Dictionary<string, CakeTaskBuilder> tasks, string suffix, IReadOnlyList<string>? services, string what)
    {
        CakeTaskBuilder Add(string name, string description)
        {
            var builder = engine.RegisterTask(Prefix + name + suffix).Description(description);
            tasks.Add(name + suffix, builder);
            _ = _ours.Add(Prefix + name + suffix);
            return builder;
        }

        var deployName = Prefix + "Deploy" + suffix;
        var deployWhat = services is null ? what : $"{what} and what it depends on";
        const string coveredByDeploy = "Deploy runs it";
        var before = Add("Before", $"PbDeploy: before commands of {what}, for all of them at once; skipped with --quick")
            .WithCriteria(_ => !_toRun.Contains(deployName), coveredByDeploy)
            .WithCriteria(context => !Quick(context), "--quick");
        _ = before.Does(context => RunAsync(context, before.Task.Name, services, s => PhaseAsync(s, context, Phase.Before, services)));
        var startOrRestart = Add("StartOrRestart", $"PbDeploy: render templates, start or restart {what}, for all of them at once")
            .WithCriteria(_ => !_toRun.Contains(deployName), coveredByDeploy);
        _ = startOrRestart.Does(context => RunAsync(context, startOrRestart.Task.Name, services, s => PhaseAsync(s, context, Phase.StartOrRestart, services)));
        var after = Add("After", $"PbDeploy: after commands of {what}, for all of them at once; skipped with --quick")
            .WithCriteria(_ => !_toRun.Contains(deployName), coveredByDeploy)
            .WithCriteria(context => !Quick(context), "--quick");
        _ = after.Does(context => RunAsync(context, after.Task.Name, services, s => PhaseAsync(s, context, Phase.After, services)));
        var stop = Add("Stop", $"PbDeploy: stop {what}");
        _ = stop.Does(context => RunAsync(context, stop.Task.Name, services, s => PhaseAsync(s, context, Phase.Stop, services)));
        var deploy = Add("Deploy", $"PbDeploy: deploy {deployWhat} as pbdeploy does: before, start/restart, after, service by service")
            .IsDependentOn(before)
            .IsDependentOn(startOrRestart)
            .IsDependentOn(after);
        _ = deploy.Does(context => RunAsync(context, deployName, services, s => DeployAsync(s, context, services)));
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
    }

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

    private async Task PhaseAsync(Session session, ICakeContext context, Phase phase, IReadOnlyList<string>? services)
    {
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
        public void Dispose()
        {
            Runner.Close();
            Hold.Dispose();
        }
    }
}
