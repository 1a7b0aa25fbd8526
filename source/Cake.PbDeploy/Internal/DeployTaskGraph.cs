using Cake.Core;
using Cake.Core.IO;
using PbDeploy.Deployment;
using PbDeploy.Manifest;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// The tasks generated from a manifest, and the deploy session they share.
/// </summary>
/// <remarks>
/// One session (the project's lock, the status read at the start, and what each phase did) lives across the phase
/// tasks of one run that act on the same services: Before, StartOrRestart and After of one <c>Deploy</c> must share
/// it, because the core decides from it what the later phases do. A service whose <c>before</c> failed is not started
/// (when the script lets the build go on, e.g. with <c>ContinueOnError()</c>), and After runs the <c>after</c>
/// commands of a service that StartOrRestart just started, which a fresh session would take for one "left running".
/// It is opened lazily by the first phase task that runs (so Before, skipped by <c>--quick</c>, or a user task wired in
/// between, changes nothing), closed by <c>Deploy</c>/<c>Deploy:NAME</c> and <c>Stop</c>, and in any case by a
/// Teardown, also when a task failed. A task acting on other services closes the open session before it opens its
/// own: the lock is per project, and two sessions at once in one process would wait for each other.
/// </remarks>
internal sealed class DeployTaskGraph
{
    private readonly DeployManifest _manifest;
    private readonly PbDeployTaskSettings _settings;
    private readonly Deployer _deployer;
    private DeploySession? _session;
    private string? _sessionKey;

    private DeployTaskGraph(DeployManifest manifest, PbDeployTaskSettings settings, CakeDeployLog log)
    {
        _manifest = manifest;
        _settings = settings;
        _deployer = new Deployer(manifest, log.OnEvent);
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

        engine.RegisterTeardownAction(_ => graph.CloseSession());
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
            .Does(CloseSession);
    }

    private async Task RunPhaseAsync(ICakeContext context, Phase phase, IReadOnlyList<string>? services)
    {
        var options = new DeployOptions
        {
            Services = services ?? _settings.Services?.ToList() ?? ScriptArguments.Services(context.Arguments),
            LockTimeout = _settings.LockTimeout,
        };
        var key = string.Join(",", options.Services);
        if (_session is null || _sessionKey != key || phase == Phase.Stop)
        {
            CloseSession();
            _session = await Manifests.RunAsync(() => _deployer.OpenAsync(options, CancellationToken.None)).ConfigureAwait(false);
            _sessionKey = key;
        }

        IReadOnlyList<ServiceOutcome> outcomes;
        try
        {
            outcomes = await _session.RunAsync(phase, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (phase == Phase.Stop)
            {
                CloseSession();
            }
        }

        Manifests.ThrowOnFailure(CakeDeployLog.PhaseName(phase), outcomes);
    }

    private bool Quick(ICakeContext context) => _settings.Quick ?? ScriptArguments.Quick(context.Arguments);

    private void CloseSession()
    {
        _session?.Dispose();
        _session = null;
        _sessionKey = null;
    }

    private static string Where(ServiceDefinition service) =>
        service.Port is { } port ? $"port {port}" : $"pidfile {service.Pidfile}";
}
