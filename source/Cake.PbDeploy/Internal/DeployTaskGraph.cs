using Cake.Core;
using Cake.Core.IO;
using PbDeploy.Deployment;
using PbDeploy.Manifest;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// The tasks generated from a manifest. <c>Deploy</c> and <c>Deploy:NAME</c> deploy as the command line does: one
/// pipeline per service (before → start/restart → after), a service after the whole pipelines of those it depends
/// on. They still depend on their phase tasks, so that a user task wired before <c>Before</c> (Publish) runs first,
/// but a phase task that a <c>Deploy</c> of the same run covers does nothing (it says so in Cake's summary). Run on
/// their own, the phase tasks keep their phase-wide meaning and share the core's <see cref="PhaseRunner"/>: its
/// session is opened by the first phase task that runs (so Before, skipped by <c>--quick</c>, or a user task wired in
/// between, changes nothing), closed by <c>Deploy</c>/<c>Deploy:NAME</c> and <c>Stop</c>, and in any case by a
/// Teardown, also when a task failed.
/// </summary>
internal sealed class DeployTaskGraph
{
    private readonly DeployManifest _manifest;
    private readonly PbDeployTaskSettings _settings;
    private readonly Deployer _deployer;
    private readonly PhaseRunner _runner;
    private readonly List<string> _failures = [];
    private readonly HashSet<string> _toRun = new(StringComparer.OrdinalIgnoreCase);

    private DeployTaskGraph(DeployManifest manifest, PbDeployTaskSettings settings, CakeDeployLog log)
    {
        _manifest = manifest;
        _settings = settings;
        _deployer = new Deployer(manifest, log.OnEvent);
        _runner = new PhaseRunner(_deployer);
    }

    public static IReadOnlyDictionary<string, CakeTaskBuilder> Register(ICakeContext context, FilePath manifestPath, PbDeployTaskSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var engine = context.ServiceProvider.GetService(typeof(ICakeEngine)) as ICakeEngine
            ?? throw new CakeException("PbDeployTasks: this Cake host offers no ICakeEngine to register tasks with; call it from a Cake script (dotnet cake), before RunTarget.");
        var manifest = Manifests.Load(context, manifestPath);
        var graph = new DeployTaskGraph(manifest, settings, new CakeDeployLog(context.Log));
        var tasks = new Dictionary<string, CakeTaskBuilder>(StringComparer.OrdinalIgnoreCase);
        graph.AddPhases(engine, tasks, "", services: null, "every service (or --services=a,b)");
        foreach (var service in manifest.Services)
        {
            graph.AddPhases(engine, tasks, $":{service.Name}", [service.Name], $"{service.Name} ({Where(service)})");
        }

        // Which tasks this run executes: known once Cake has built its graph, before the first task runs.
        engine.RegisterSetupAction(setup => graph._toRun.UnionWith(setup.TasksToExecute.Select(t => t.Name)));
        engine.RegisterTeardownAction(_ => graph.Finish());
        return tasks;
    }

    private void AddPhases(ICakeEngine engine, Dictionary<string, CakeTaskBuilder> tasks, string suffix, IReadOnlyList<string>? services, string what)
    {
        CakeTaskBuilder Add(string name, string description)
        {
            var builder = engine.RegisterTask(_settings.TaskPrefix + name + suffix).Description(description);
            tasks.Add(name + suffix, builder);
            return builder;
        }

        var deployName = _settings.TaskPrefix + "Deploy" + suffix;
        var deployWhat = services is null ? what : $"{what} and what it depends on";
        const string coveredByDeploy = "Deploy runs it, service by service";
        var before = Add("Before", $"PbDeploy: before commands of {what}, for all of them at once; skipped with --quick")
            .WithCriteria(_ => !_toRun.Contains(deployName), coveredByDeploy)
            .WithCriteria(context => !Quick(context), "--quick")
            .Does(context => RunPhaseAsync(context, Phase.Before, services));
        var startOrRestart = Add("StartOrRestart", $"PbDeploy: render templates, start or restart {what}, for all of them at once")
            .WithCriteria(_ => !_toRun.Contains(deployName), coveredByDeploy)
            .Does(context => RunPhaseAsync(context, Phase.StartOrRestart, services));
        var after = Add("After", $"PbDeploy: after commands of {what}, for all of them at once; skipped with --quick")
            .WithCriteria(_ => !_toRun.Contains(deployName), coveredByDeploy)
            .WithCriteria(context => !Quick(context), "--quick")
            .Does(context => RunPhaseAsync(context, Phase.After, services));
        _ = Add("Stop", $"PbDeploy: stop {what}")
            .Does(context => RunPhaseAsync(context, Phase.Stop, services));
        _ = Add("Deploy", $"PbDeploy: deploy {deployWhat} as pbdeploy does: before, start/restart, after, service by service")
            .IsDependentOn(before)
            .IsDependentOn(startOrRestart)
            .IsDependentOn(after)
            .Does(context => DeployAsync(context, services));
    }

    private DeployOptions Options(ICakeContext context, IReadOnlyList<string>? services) => new()
    {
        Services = services ?? _settings.Services?.ToList() ?? ScriptArguments.Services(context.Arguments),
        NoDependencies = _settings.NoDependencies ?? ScriptArguments.NoDependencies(context.Arguments),
        LockTimeout = _settings.LockTimeout,
    };

    private async Task RunPhaseAsync(ICakeContext context, Phase phase, IReadOnlyList<string>? services)
    {
        var options = Options(context, services);
        using var interruption = new Interruption();
        var outcomes = await Manifests.RunAsync(() => _runner.RunAsync(phase, options, interruption.Token)).ConfigureAwait(false);
        if (DeployText.Failures(DeployText.Phase(phase), outcomes) is { } failure)
        {
            if (phase == Phase.Stop || interruption.Token.IsCancellationRequested)
            {
                throw new CakeException(failure);
            }

            // As the CLI does, a failed service fails only itself and its dependents (the session skips them) while
            // the others go on through the later phases: the failure fails the build in the Teardown.
            _failures.Add(failure);
        }
    }

    /// <summary><c>Deploy</c>: the pipelines, as <c>pbdeploy</c> runs them; then the build fails with every failure recorded.</summary>
    private async Task DeployAsync(ICakeContext context, IReadOnlyList<string>? services)
    {
        _runner.Close(); // a phase task that ran before holds the project's lock
        var options = Options(context, services) with { Quick = Quick(context) };
        using var interruption = new Interruption();
        var result = await Manifests.RunAsync(() => _deployer.DeployAsync(options, interruption.Token)).ConfigureAwait(false);
        if (DeployText.Failures("deploy", result.Outcomes) is { } failure)
        {
            _failures.Add(failure);
        }
        else if (result.Interrupted)
        {
            _failures.Add("PbDeploy deploy was interrupted: the steps that were running were stopped and nothing more was run.");
        }

        Finish();
    }

    /// <summary>Ends the session, and fails the build with the failures the phases and deploys recorded.</summary>
    private void Finish()
    {
        _runner.Close();
        if (_failures.Count > 0)
        {
            var failures = string.Join("; ", _failures);
            _failures.Clear();
            throw new CakeException(failures);
        }
    }

    private bool Quick(ICakeContext context) => _settings.Quick ?? ScriptArguments.Quick(context.Arguments);

    private static string Where(ServiceDefinition service) =>
        service.Port is { } port ? $"port {port}" : $"pidfile {service.Pidfile}";
}
