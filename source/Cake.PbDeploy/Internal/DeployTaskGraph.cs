using Cake.Core;
using Cake.Core.IO;
using PbDeploy.Deployment;
using PbDeploy.Manifest;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// The tasks generated from a manifest. Their phases share the core's <see cref="PhaseRunner"/>: its session is
/// opened by the first phase task that runs (so Before, skipped by <c>--quick</c>, or a user task wired in between,
/// changes nothing), closed by <c>Deploy</c>/<c>Deploy:NAME</c> and <c>Stop</c>, and in any case by a Teardown,
/// also when a task failed.
/// </summary>
internal sealed class DeployTaskGraph
{
    private readonly DeployManifest _manifest;
    private readonly PbDeployTaskSettings _settings;
    private readonly PhaseRunner _runner;
    private readonly List<string> _failures = [];

    private DeployTaskGraph(DeployManifest manifest, PbDeployTaskSettings settings, CakeDeployLog log)
    {
        _manifest = manifest;
        _settings = settings;
        _runner = new PhaseRunner(new Deployer(manifest, log.OnEvent));
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

        var before = Add("Before", $"PbDeploy: before commands of {what}; skipped with --quick")
            .WithCriteria(context => !Quick(context), "--quick")
            .Does(context => RunPhaseAsync(context, Phase.Before, services));
        var startOrRestart = Add("StartOrRestart", $"PbDeploy: render templates, start or restart {what}")
            .Does(context => RunPhaseAsync(context, Phase.StartOrRestart, services));
        var after = Add("After", $"PbDeploy: after commands of {what}; skipped with --quick")
            .WithCriteria(context => !Quick(context), "--quick")
            .Does(context => RunPhaseAsync(context, Phase.After, services));
        _ = Add("Stop", $"PbDeploy: stop {what}")
            .Does(context => RunPhaseAsync(context, Phase.Stop, services));
        _ = Add("Deploy", $"PbDeploy: Before, StartOrRestart, After of {what}")
            .IsDependentOn(before)
            .IsDependentOn(startOrRestart)
            .IsDependentOn(after)
            .Does(Finish);
    }

    private async Task RunPhaseAsync(ICakeContext context, Phase phase, IReadOnlyList<string>? services)
    {
        var options = new DeployOptions
        {
            Services = services ?? _settings.Services?.ToList() ?? ScriptArguments.Services(context.Arguments),
            LockTimeout = _settings.LockTimeout,
        };
        using var interruption = new Interruption();
        var outcomes = await Manifests.RunAsync(() => _runner.RunAsync(phase, options, interruption.Token)).ConfigureAwait(false);
        if (DeployText.Failures(DeployText.Phase(phase), outcomes) is { } failure)
        {
            if (phase == Phase.Stop || interruption.Token.IsCancellationRequested)
            {
                throw new CakeException(failure);
            }

            // As the CLI does, a failed service fails only itself and its dependents (the session skips them) while
            // the others go on through the later phases: the failure fails the build at the end of Deploy, or in
            // the Teardown when a phase task ran on its own.
            _failures.Add(failure);
        }
    }

    /// <summary>Ends the session, and fails the build with the failures the phases recorded.</summary>
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
