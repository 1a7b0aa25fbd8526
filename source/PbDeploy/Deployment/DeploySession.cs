using System.Collections.Concurrent;
using System.Diagnostics;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace PbDeploy.Deployment;

/// <summary>
/// A deploy in progress: holds the project's lock, has checked every command and template of the selected services,
/// and runs either one pipeline per service (<see cref="RunPipelinesAsync"/>: what a deploy is) or phases one at a time
/// (<see cref="RunAsync"/>: so that a build engine can map each phase to a target of its own). A service that fails
/// in a step is not taken further (the later steps of its pipeline, or the later phases), and every selected service
/// that depends on it is skipped.
/// </summary>
internal sealed partial class DeploySession : IDisposable
{
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);
    private readonly DeployManifest _manifest;
    private readonly DeployLock _lock;
    private readonly ProcessFinder _finder;
    private readonly StatusReader _statusReader;
    private readonly Action<DeployEvent> _raise;
    private readonly IReadOnlyDictionary<string, ServiceStatus> _initial;
    private readonly ConcurrentDictionary<string, ServiceOutcome> _blocked = new(); // the failure or skip that stopped a service
    private readonly ConcurrentDictionary<string, ServiceAction> _startOutcomes = new();
    private readonly List<ServiceOutcome> _outcomes = [];
    private readonly ConcurrentDictionary<string, byte> _warned;
    private readonly ConcurrentDictionary<string, int> _active; // the active port of each blue-green service

    private DeploySession(
        DeployManifest manifest,
        IReadOnlyList<ServiceDefinition> services,
        DeployLock deployLock,
        ProcessFinder finder,
        StatusReader statusReader,
        IReadOnlyDictionary<string, ServiceStatus> initial,
        ConcurrentDictionary<string, byte> warned,
        ConcurrentDictionary<string, int> active,
        Action<DeployEvent> raise)
    {
        _active = active;
        _warned = warned;
        _manifest = manifest;
        Services = services;
        _lock = deployLock;
        _finder = finder;
        _statusReader = statusReader;
        _initial = initial;
        _raise = raise;
    }

    /// <summary>The selected services, in manifest order.</summary>
    public IReadOnlyList<ServiceDefinition> Services { get; }

    /// <summary>Every outcome so far.</summary>
    public DeployResult Result
    {
        get
        {
            lock (_outcomes)
            {
                return new DeployResult([.. _outcomes]);
            }
        }
    }

    /// <param name="manifest">The manifest.</param>
    /// <param name="options">The services and how.</param>
    /// <param name="stop">
    /// True for a stop: only the services named (stopping what they depend on along would surprise); otherwise those
    /// and what they depend on, unless <see cref="DeployOptions.NoDependencies"/>.
    /// </param>
    /// <param name="raise">Receives the events.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    internal static async Task<DeploySession> OpenAsync(
        DeployManifest manifest, DeployOptions options, bool stop, Action<DeployEvent> raise, CancellationToken cancellationToken)
    {
        var services = stop || options.NoDependencies ? manifest.Select(options.Services) : manifest.SelectWithDependencies(options.Services);
        var deployLock = await DeployLock.AcquireAsync(
            manifest.Path, options.LockTimeout, (path, holder) => raise(new WaitingForLock(path, holder)), cancellationToken).ConfigureAwait(false);
        try
        {
            var finder = new ProcessFinder(options.Finder);
            var reader = new StatusReader(finder);

            // The blue-green services not selected are read too: {services.NAME.port} is their active port.
            var scanned = reader.Read(manifest, [.. services, .. manifest.Services.Where(s => s.Ports is not null && !services.Contains(s))]);
            var statuses = scanned.Take(services.Count).ToList();
            var warned = new ConcurrentDictionary<string, byte>();
            RaiseNewWarnings(statuses, warned, raise);
            var active = new ConcurrentDictionary<string, int>();
            foreach (var status in scanned.Where(s => s.Ports is not null))
            {
                active[status.Name] = status.Port!.Value;
            }

            var current = manifest.WithActivePorts(active);
            for (var i = 0; i < services.Count; i++)
            {
                ServiceContext.Validate(current, services[i], statuses[i], stop);
            }

            return new DeploySession(manifest, services, deployLock, finder, reader, statuses.ToDictionary(s => s.Name), warned, active, raise);
        }
        catch
        {
            deployLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs one pipeline per selected service: <c>before</c> → render → start, restart or leave → readiness →
    /// <c>after</c> (only the middle when <paramref name="quick"/>). A pipeline waits for the whole pipelines of the
    /// services its service depends on; independent ones run at once. A step that fails ends its pipeline and skips
    /// the pipelines of its dependents; the others go on. Outcomes are per step that ran or was skipped: none for a
    /// service's missing <c>before</c> or <c>after</c> commands, and a service left running is one outcome.
    /// </summary>
    /// <returns>The outcomes, service by service in manifest order, steps in the order run.</returns>
    public async Task<IReadOnlyList<ServiceOutcome>> RunPipelinesAsync(bool quick, CancellationToken cancellationToken)
    {
        _raise(new DeployStarted([.. Services.Select(s => s.Name)], quick));
        var pipelines = await DependencyScheduler.RunAsync(
            _manifest, Services, reverse: false, service => RunPipelineAsync(service, quick, cancellationToken)).ConfigureAwait(false);
        var outcomes = pipelines.SelectMany(p => p).ToList();
        lock (_outcomes)
        {
            _outcomes.AddRange(outcomes);
        }

        return outcomes;
    }

    /// <summary>Runs <paramref name="phase"/> for the selected services, in dependency order (reverse for Stop), independent ones at once.</summary>
    public async Task<IReadOnlyList<ServiceOutcome>> RunAsync(Phase phase, CancellationToken cancellationToken)
    {
        _raise(new PhaseStarted(phase, [.. Services.Select(s => s.Name)]));

        // Before and After only need {pid} for their commands: one scan for every service at the start of the phase.
        // A start, restart or stop reads its own service's status just before it acts.
        var statuses = phase is Phase.Before or Phase.After ? ReadStatuses(Services) : null;
        var outcomes = await DependencyScheduler.RunAsync(_manifest, Services, reverse: phase == Phase.Stop, service =>
            StepAsync(phase, service, () => (phase, SkipReason(phase, service, cancellationToken)) switch
            {
                // Nothing to skip: a service without before (after) commands is not "skipped" in Before (After).
                (Phase.Before, _) when service.Before.Count == 0 => Task.FromResult(Outcome(service, phase, ServiceAction.Nothing) with { Message = "no before commands" }),
                (Phase.After, _) when service.After.Count == 0 => Task.FromResult(Outcome(service, phase, ServiceAction.Nothing) with { Message = "no after commands" }),
                (_, { } reason) => Task.FromResult(Outcome(service, phase, ServiceAction.Skipped) with { Message = reason }),
                _ => RunServiceAsync(phase, service, statuses?[service.Name], inPipeline: false, cancellationToken),
            })).ConfigureAwait(false);

        lock (_outcomes)
        {
            _outcomes.AddRange(outcomes);
        }

        return outcomes;
    }

    /// <summary>Releases the project's lock.</summary>
    public void Dispose() => _lock.Dispose();

    /// <summary>One service's pipeline; see <see cref="RunPipelinesAsync"/>.</summary>
    private async Task<IReadOnlyList<ServiceOutcome>> RunPipelineAsync(ServiceDefinition service, bool quick, CancellationToken cancellationToken)
    {
        var runsBefore = !quick && service.Before.Count > 0;
        if (SkipReason(Phase.StartOrRestart, service, cancellationToken) is { } reason)
        {
            // One outcome for the whole pipeline, at the step it would have begun with.
            var first = runsBefore ? Phase.Before : Phase.StartOrRestart;
            return [await StepAsync(first, service, () => Task.FromResult(Outcome(service, first, ServiceAction.Skipped) with { Message = reason })).ConfigureAwait(false)];
        }

        var outcomes = new List<ServiceOutcome>();
        if (runsBefore)
        {
            // Read now, once the services it depends on are deployed: {pid} as it is, and whether it will be left running.
            var status = CurrentStatus(service);
            if (!LeftAlone(service, status))
            {
                outcomes.Add(await StepAsync(Phase.Before, service, () => RunServiceAsync(Phase.Before, service, status, inPipeline: true, cancellationToken)).ConfigureAwait(false));
                if (outcomes[^1].IsFailure || cancellationToken.IsCancellationRequested)
                {
                    return outcomes;
                }
            }
        }

        outcomes.Add(await StepAsync(Phase.StartOrRestart, service, () => RunServiceAsync(Phase.StartOrRestart, service, null, inPipeline: true, cancellationToken)).ConfigureAwait(false));
        var started = outcomes[^1];
        if (started.IsFailure || started.Action == ServiceAction.LeftRunning || quick || service.After.Count == 0 || cancellationToken.IsCancellationRequested)
        {
            return outcomes;
        }

        var running = CurrentStatus(service); // {pid} of what was just started or restarted
        outcomes.Add(await StepAsync(Phase.After, service, () => RunServiceAsync(Phase.After, service, running, inPipeline: true, cancellationToken)).ConfigureAwait(false));
        return outcomes;
    }

    /// <summary>Runs one step of a service, times it, records a failure (it blocks the service's later steps and its dependents) and raises its outcome.</summary>
    private async Task<ServiceOutcome> StepAsync(Phase phase, ServiceDefinition service, Func<Task<ServiceOutcome>> step)
    {
        var clock = Stopwatch.StartNew();
        var outcome = await step().ConfigureAwait(false) with { Duration = clock.Elapsed };
        if (outcome.IsFailure)
        {
            _ = _blocked.TryAdd(service.Name, outcome);
        }

        if (phase == Phase.StartOrRestart)
        {
            _startOutcomes[service.Name] = outcome.Action;
        }

        _raise(new ServiceFinished(outcome));
        return outcome;
    }

    /// <summary>Running, and no <c>restart</c> command: a deploy leaves it alone and runs none of its commands.</summary>
    private static bool LeftAlone(ServiceDefinition service, ServiceStatus status) =>
        status.State == ServiceState.Running && service.LeftRunning;

    private string? SkipReason(Phase phase, ServiceDefinition service, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return "not run: the run was interrupted before it began";
        }

        if (phase == Phase.Stop)
        {
            return null; // stop everything asked for, whatever failed before
        }

        if (_blocked.TryGetValue(service.Name, out var own))
        {
            // A phase after the one it failed in (or was skipped in, whose reason says why).
            return own.Action == ServiceAction.Failed ? $"not run: it failed in {DeployText.Phase(own.Phase)}" : own.Message;
        }

        // Name the cause: a dependency that failed rather than one skipped because of it.
        var blocked = Dependencies(service).Where(_blocked.ContainsKey).Select(name => _blocked[name]).ToList();
        var cause = blocked.FirstOrDefault(o => o.Action == ServiceAction.Failed) ?? blocked.FirstOrDefault();
        return cause switch
        {
            null => null,
            { Action: ServiceAction.Failed } => $"not run: it depends on '{cause.Service}', which failed in {DeployText.Phase(cause.Phase)}",
            _ => $"not run: it depends on '{cause.Service}', which was not run",
        };
    }

    /// <summary>The services <paramref name="service"/> depends on, directly or not, nearest first.</summary>
    private IEnumerable<string> Dependencies(ServiceDefinition service)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>(service.DependsOn);
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (seen.Add(name))
            {
                yield return name;
                foreach (var next in _manifest.GetService(name).DependsOn)
                {
                    stack.Push(next);
                }
            }
        }
    }

    /// <param name="phase">The step.</param>
    /// <param name="service">The service.</param>
    /// <param name="status">For Before and After: the status their commands render <c>{pid}</c> with.</param>
    /// <param name="inPipeline">
    /// True in a pipeline, which has decided itself whether the service is left running; false in a phase, which
    /// goes by what the StartOrRestart phase did, or else by the status read when the session opened.
    /// </param>
    /// <param name="cancellationToken">Stops the step.</param>
    private async Task<ServiceOutcome> RunServiceAsync(
        Phase phase, ServiceDefinition service, ServiceStatus? status, bool inPipeline, CancellationToken cancellationToken)
    {
        try
        {
            return phase switch
            {
                Phase.Before => await RunCommandsAsync(phase, service, status!, CommandKinds.Before, inPipeline, cancellationToken).ConfigureAwait(false),
                Phase.StartOrRestart => await StartOrRestartAsync(service, cancellationToken).ConfigureAwait(false),
                Phase.After => await RunCommandsAsync(phase, service, status!, CommandKinds.After, inPipeline, cancellationToken).ConfigureAwait(false),
                Phase.Stop => await StopAsync(service, cancellationToken).ConfigureAwait(false),
                _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
            };
        }
        catch (Exception e) when (AsFailure(service, phase, e, cancellationToken) is { } failed)
        {
            return failed;
        }
    }

    /// <summary>The failure of <paramref name="service"/> an exception of a step stands for; null for a bug, which goes on up.</summary>
    private static ServiceOutcome? AsFailure(ServiceDefinition service, Phase phase, Exception exception, CancellationToken cancellationToken) => exception switch
    {
        PbDeployException e => Failed(service, phase, e.Message),

        // The one boundary where an IO failure no step put in words of its own becomes this service's failure.
        IOException or UnauthorizedAccessException => Failed(service, phase, EnvironmentException.FromIo($"service '{service.Name}' could not read or write a file", exception).Message),

        // The command it was running was stopped (SIGTERM, then SIGKILL to its group), and a service it had
        // started but that was not ready yet was stopped too: nothing is left half-started.
        OperationCanceledException when cancellationToken.IsCancellationRequested => Failed(service, phase, "interrupted while it ran: the step was stopped before it finished"),
        _ => null,
    };

    private async Task<ServiceOutcome> RunCommandsAsync(
        Phase phase, ServiceDefinition service, ServiceStatus status, string kind, bool inPipeline, CancellationToken cancellationToken)
    {
        var leftAlone = !inPipeline && (_startOutcomes.TryGetValue(service.Name, out var started)
            ? started == ServiceAction.LeftRunning
            : LeftAlone(service, _initial[service.Name]));
        if (leftAlone)
        {
            return Outcome(service, phase, ServiceAction.Nothing) with { Message = "left running without a restart command: no commands run" };
        }

        if (status.State == ServiceState.Foreign && kind == CommandKinds.Before)
        {
            return Failed(service, phase, Foreign(status)); // it could be neither started nor restarted: prepare nothing
        }

        var context = ServiceContext.For(Current, service, status);
        var commands = context.Commands(kind);
        if (commands.Count == 0)
        {
            return Outcome(service, phase, ServiceAction.Nothing) with { Message = $"no {kind} commands" };
        }

        foreach (var command in commands)
        {
            var result = await RunCommandAsync(context, phase, kind, command, cancellationToken).ConfigureAwait(false);
            if (!result.Exit.Succeeded)
            {
                return CommandFailed(service, phase, kind, result);
            }
        }

        return Outcome(service, phase, ServiceAction.CommandsRan);
    }

    /// <summary>Runs a command, its output in a private file of the project's <c>.pbdeploy</c>, or appended to <paramref name="log"/>.</summary>
    private async Task<CommandResult> RunCommandAsync(
        ServiceContext context, Phase phase, string kind, string command, CancellationToken cancellationToken, string? log = null)
    {
        CheckWorkingDirectory(context);
        _raise(new CommandStarted(context.Service.Name, phase, kind, command));
        var result = await ShellCommand.RunAsync(
            command, context.Shell, context.WorkingDirectory, context.Environment, _manifest.ProjectDir, log, context.Service.CommandTimeout, leaveRunningOnTimeout: false, cancellationToken)
            .ConfigureAwait(false);
        _raise(new CommandFinished(context.Service.Name, phase, kind, result));
        return result;
    }

    private static void CheckWorkingDirectory(ServiceContext context)
    {
        if (!Directory.Exists(context.WorkingDirectory))
        {
            throw new InputException(
                $"the working folder {context.WorkingDirectory} (cwd of service '{context.Service.Name}') does not exist; create it, or fix 'cwd' in the manifest.");
        }

        // Commands read what is there (./install.sh, requirements.txt, Python's modules): never a folder another user controls.
        if (Platform.WritePlace.FolderProblem(context.WorkingDirectory) is { } problem)
        {
            throw new InputException(
                $"refusing to run the commands of service '{context.Service.Name}' in {context.WorkingDirectory}: {problem}, or fix 'cwd' in the manifest.");
        }
    }

    private ServiceStatus CurrentStatus(ServiceDefinition service) => ReadStatuses([service])[service.Name];

    /// <summary>The status of <paramref name="services"/> from one scan, raising their new warnings.</summary>
    private Dictionary<string, ServiceStatus> ReadStatuses(IReadOnlyList<ServiceDefinition> services)
    {
        var statuses = _statusReader.Read(_manifest, services);
        RaiseNewWarnings(statuses, _warned, _raise);
        return statuses.ToDictionary(s => s.Name);
    }

    /// <summary>Raises each status note (a stale pidfile ...) once per session, however often the status is read.</summary>
    private static void RaiseNewWarnings(IEnumerable<ServiceStatus> statuses, ConcurrentDictionary<string, byte> warned, Action<DeployEvent> raise)
    {
        foreach (var status in statuses.Where(s => s.Note is not null && s.State != ServiceState.Foreign))
        {
            if (warned.TryAdd($"{status.Name}\n{status.Note}", 0))
            {
                raise(new DeployWarning(status.Name, status.Note!));
            }
        }
    }

    private static ServiceOutcome Outcome(ServiceDefinition service, Phase phase, ServiceAction action) =>
        new() { Service = service.Name, Phase = phase, Action = action };

    private static ServiceOutcome Failed(ServiceDefinition service, Phase phase, string message, string? output = null) =>
        Outcome(service, phase, ServiceAction.Failed) with { Message = message, Output = output };

    private static ServiceOutcome CommandFailed(ServiceDefinition service, Phase phase, string kind, CommandResult result) =>
        Failed(service, phase, result.TimedOut ? TimedOut(service, kind, result) : $"{kind} command failed with {result.Exit}: {result.Command}", ShellCommand.LastLines(result.Output, 20));

    private static string Foreign(ServiceStatus status) => status.Refusal is { } refusal
        ? $"{refusal}." // a process pbdeploy sees but never signals (init, itself, an ancestor, a kernel thread)
        : $"{status.Note}; pbdeploy will not start a second copy nor signal a process it cannot see. Stop it yourself, or run pbdeploy as its user.";
}
