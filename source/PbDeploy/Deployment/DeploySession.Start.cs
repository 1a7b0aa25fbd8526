using System.Diagnostics;
using System.Globalization;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;
using PbDeploy.Templating;

namespace PbDeploy.Deployment;

internal sealed partial class DeploySession
{
    private async Task<ServiceOutcome> StartOrRestartAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        var status = CurrentStatus(service);
        const Phase phase = Phase.StartOrRestart;
        if (status.State == ServiceState.Foreign)
        {
            return Failed(service, phase, Foreign(status));
        }

        if (status.State == ServiceState.Running && service.LeftRunning)
        {
            return Outcome(service, phase, ServiceAction.LeftRunning) with
            {
                OldPid = status.Pid,
                Pid = status.Pid,
                Message = LeftRunningAdvice,
            };
        }

        if (service.Ports is not null)
        {
            return await BlueGreenAsync(service, status, cancellationToken).ConfigureAwait(false);
        }

        var context = ServiceContext.For(Current, service, status);
        return await WithTemplatesAsync(context, () => status.State != ServiceState.Running ? StartAsync(service, cancellationToken)
            : service.RestartsByStopAndStart ? StopAndStartAsync(service, status, cancellationToken)
            : RestartAsync(context, status, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Renders the templates of <paramref name="service"/> (for a start: nothing runs), then runs <paramref name="act"/>;
    /// when it fails, the templates are put back to match the service as it was (or stopped).
    /// </summary>
    private Task<ServiceOutcome> WithTemplatesAsync(ServiceDefinition service, Func<Task<ServiceOutcome>> act, CancellationToken cancellationToken) =>
        WithTemplatesAsync(ServiceContext.For(Current, service, null), act, cancellationToken);

    private async Task<ServiceOutcome> WithTemplatesAsync(ServiceContext context, Func<Task<ServiceOutcome>> act, CancellationToken cancellationToken)
    {
        var service = context.Service;
        var prepared = TemplateWriter.Prepare(Current, service, context.Scope);
        var backup = prepared.Backup();
        ServiceOutcome outcome;
        try
        {
            Rendered(service, prepared.Commit(backup));
            outcome = await act().ConfigureAwait(false);
        }
        catch (Exception e) when (AsFailure(service, Phase.StartOrRestart, e, cancellationToken) is { } failed)
        {
            outcome = failed;
        }

        // A failed start or restart leaves the service as it was (or stopped): put its config back to match.
        return outcome.IsFailure ? outcome with { Message = outcome.Message + DeployText.Restored(backup.Restore()) } : outcome;
    }

    /// <summary>Why a running service is left alone on a deploy, and how to have it replaced.</summary>
    internal const string LeftRunningAdvice = "it has no restart; add \"restart\": true to replace it on each deploy";

    private async Task<ServiceOutcome> StartAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.StartOrRestart;
        var context = ServiceContext.For(Current, service, null);
        var command = context.Command(CommandKinds.Start)!;
        if (service.Daemonizes)
        {
            var ours = Provenance.StartedFromNow(); // the server it backgrounds starts after this
            var result = await RunStartCommandAsync(context, command, cancellationToken).ConfigureAwait(false);
            if (result.StillRunning)
            {
                return await KeepOrStopForegroundStartAsync(context, command, result, cancellationToken).ConfigureAwait(false);
            }

            if (!result.Exit.Succeeded)
            {
                return CommandFailed(service, phase, CommandKinds.Start, result);
            }

            var ready = await WaitUntilReadyAsync(service, child: null, ours, cancellationToken).ConfigureAwait(false);
            return ready.Status is { } running
                ? Outcome(service, phase, ServiceAction.Started) with { Pid = running.Pid }
                : Failed(service, phase, $"{ready.Failure}; its start command ({command}) exited with 0", ShellCommand.LastLines(result.Output, 20));
        }

        CheckWorkingDirectory(context);
        _raise(new CommandStarted(service.Name, phase, CommandKinds.Start, command));
        var pid = ShellCommand.StartDetached(command, context.Shell, context.WorkingDirectory, context.Environment, context.LogPath);
        try
        {
            var ready = await WaitUntilReadyAsync(service, pid, Provenance.SpawnedAs(pid), cancellationToken).ConfigureAwait(false);
            if (ready.Status is { } running)
            {
                return Outcome(service, phase, ServiceAction.Started) with { Pid = running.Pid, Message = $"output goes to {context.LogPath}" };
            }

            if (ready.Exit is null)
            {
                _ = await ProgramRun.StopGroupAsync(pid).ConfigureAwait(false); // never leave a half-started service behind
            }

            return Failed(service, phase, $"{ready.Failure}; log: {context.LogPath}", LogTail(context.LogPath));
        }
        catch (OperationCanceledException)
        {
            _ = await ProgramRun.StopGroupAsync(pid).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<ServiceOutcome> RestartAsync(ServiceContext context, ServiceStatus before, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.StartOrRestart;
        var service = context.Service;
        var master = before.Pid is { } pid ? Signals.Describe(pid) : null; // as it is before the command: a later process of that pid is another one
        var ours = Provenance.RestartOf(before.Pid);
        var result = await RunCommandAsync(context, phase, CommandKinds.Restart, context.Command(CommandKinds.Restart)!, cancellationToken).ConfigureAwait(false);
        if (!result.Exit.Succeeded)
        {
            return CommandFailed(service, phase, CommandKinds.Restart, result) with { OldPid = before.Pid };
        }

        var ready = await WaitUntilReadyAsync(service, child: null, ours, cancellationToken, new RestartWatch(master, result.Pid)).ConfigureAwait(false);
        if (ready.Gone && !service.Daemonizes)
        {
            // The restart command stopped it (kill {pid}): start it again, as a stopped service is started.
            return AsRestart(await StartAsync(service, cancellationToken).ConfigureAwait(false), before.Pid, "its restart command stopped it");
        }

        return ready.Status is { } running
            ? Outcome(service, phase, ServiceAction.Restarted) with { OldPid = before.Pid, Pid = running.Pid }
            : Failed(service, phase, ready.Gone ? ready.Failure! : $"{ready.Failure} after its restart command", ShellCommand.LastLines(result.Output, 20)) with { OldPid = before.Pid };
    }

    /// <summary>
    /// <c>"restart": true</c>, what <c>systemctl restart</c> does: stop the service as <c>pbdeploy stop</c> does (its
    /// <c>stop</c> command or SIGTERM, SIGKILL after <c>stop_timeout</c>), then start it as a stopped service is
    /// started, then wait until it is ready.
    /// </summary>
    private async Task<ServiceOutcome> StopAndStartAsync(ServiceDefinition service, ServiceStatus before, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.StartOrRestart;
        var stopped = await StopRunningAsync(service, before, phase, cancellationToken).ConfigureAwait(false);
        if (stopped.Action is not (ServiceAction.Stopped or ServiceAction.NotRunning))
        {
            return stopped with { Message = $"could not stop it to restart it (\"restart\": true): {stopped.Message}", OldPid = before.Pid };
        }

        return AsRestart(await StartAsync(service, cancellationToken).ConfigureAwait(false), before.Pid, stopped.Message);
    }

    /// <summary>A start that completes a restart: <see cref="ServiceAction.Restarted"/> from <paramref name="oldPid"/>, or its failure, naming the old pid.</summary>
    private static ServiceOutcome AsRestart(ServiceOutcome started, int? oldPid, string? note)
    {
        if (started.Action == ServiceAction.Started)
        {
            return started with { Action = ServiceAction.Restarted, OldPid = oldPid, Message = note is null ? started.Message : $"{note}; {started.Message}" };
        }

        return started.Action == ServiceAction.Failed
            ? started with { OldPid = oldPid, Message = $"stopped pid {oldPid} to restart it, then the start failed: {started.Message}" }
            : started with { OldPid = oldPid };
    }

    /// <summary>
    /// The start command of a daemonizing service, its output appended to the service's log (a server it backgrounds
    /// keeps writing there, to a file that stays), bounded by <c>start_timeout</c>: still running then, it is left
    /// running for <see cref="KeepOrStopForegroundStartAsync"/> to judge.
    /// </summary>
    private async Task<CommandResult> RunStartCommandAsync(ServiceContext context, string command, CancellationToken cancellationToken)
    {
        CheckWorkingDirectory(context);
        _raise(new CommandStarted(context.Service.Name, Phase.StartOrRestart, CommandKinds.Start, command));
        var result = await ShellCommand.RunAsync(
            command, context.Shell, context.WorkingDirectory, context.Environment, _manifest.ProjectDir, context.LogPath, context.Service.StartTimeout, leaveRunningOnTimeout: true, cancellationToken)
            .ConfigureAwait(false);
        _raise(new CommandFinished(context.Service.Name, Phase.StartOrRestart, CommandKinds.Start, result));
        return result;
    }

    /// <summary>
    /// A <c>daemonizes: true</c> start command that has not exited by <c>start_timeout</c> runs its server in the
    /// foreground. Kept, with a warning, when the service is ready and held by that command's process or its
    /// descendants (its output goes on to the service's log); otherwise its process group is stopped and it fails.
    /// </summary>
    private async Task<ServiceOutcome> KeepOrStopForegroundStartAsync(ServiceContext context, string command, CommandResult result, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.StartOrRestart;
        var service = context.Service;
        var timeout = Seconds(service.StartTimeout);
        var what = service.Port is { } port ? $"port {port} listens" : "its pidfile names a live process";
        if (ShellCommand.TryReap(result.Pid) is null
            && (service.Port is not { } listening || _finder.IsListening(listening))
            && CurrentStatus(service) is { State: ServiceState.Running } status
            && NotOurs(service, status, Provenance.SpawnedAs(result.Pid)) is null)
        {
            var warning = $"its start command has not exited after its start_timeout of {timeout} s, but {what} (pid {status.Pid}, " +
                $"started by that command): kept running, its output going to {context.LogPath}. A start command that runs the server in the " +
                "foreground is a \"daemonizes\": false service: set it, and PbDeploy backgrounds the server in a session of its own";
            _raise(new DeployWarning(service.Name, warning));
            return Outcome(service, phase, ServiceAction.Started) with { Pid = status.Pid, Message = warning };
        }

        cancellationToken.ThrowIfCancellationRequested();
        _ = await ProgramRun.StopGroupAsync(result.Pid).ConfigureAwait(false);
        var not = service.Port is { } p ? $"port {p} does not listen" : "its pidfile names no live process of it";
        return Failed(
            service,
            phase,
            $"its start command ({command}) had not exited after its start_timeout of {timeout} s, and {not}: stopped it (SIGTERM, then SIGKILL to its " +
            "process group). A \"daemonizes\": true start command must exit once the server runs in the background; for one that runs the server " +
            $"in the foreground, set \"daemonizes\": false. Log: {context.LogPath}",
            ShellCommand.LastLines(result.Output, 20));
    }

    /// <summary>A command stopped at its <c>command_timeout</c>.</summary>
    private static string TimedOut(ServiceDefinition service, string kind, CommandResult result) =>
        $"{kind} command did not finish within its command_timeout of {Seconds(service.CommandTimeout)} s, so it was stopped (SIGTERM, then SIGKILL to its " +
        $"process group): {result.Command}. Raise \"command_timeout\" in the manifest if it needs longer";

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>How long a restarted master that still holds the port must stay alive to count as reloaded in place (not dying from a <c>kill</c>).</summary>
    private static readonly TimeSpan SameMasterSettle = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a daemonizing service may have nothing running after its restart command before that fails (a server the command backgrounds may take a moment to bind).</summary>
    private static readonly TimeSpan GoneGrace = TimeSpan.FromSeconds(1);

    /// <summary>What a restart command restarted: the master as it was before (null when it was already gone), and the command's process group.</summary>
    private sealed record RestartWatch(ProcessInfo? Master, int CommandGroup);

    private sealed record Readiness(ServiceStatus? Status, ExitStatus? Exit, string? Failure)
    {
        /// <summary>After a restart command: the old master is gone and nothing took its place.</summary>
        public bool Gone { get; init; }
    }

    /// <summary>
    /// Polls until the service is ready: its port listens, or its pidfile names a live pid, and every holder is
    /// <paramref name="ours"/>. Fails at once when another project's process holds the port meanwhile (or one pbdeploy
    /// cannot see), and early when <paramref name="child"/> exits first. After a restart command (<paramref name="restart"/>):
    /// the same master counts once it has stayed alive a moment (a <c>kill {pid}</c> takes a moment to land), and a master
    /// gone with nothing in its place (nothing listens, and nothing the command started is left in its process group)
    /// is <see cref="Readiness.Gone"/>: at once for a <c>daemonizes: false</c> service (to be started again), after
    /// <see cref="GoneGrace"/> otherwise (a server the command daemonized has left its group, and may take a moment to bind).
    /// </summary>
    private async Task<Readiness> WaitUntilReadyAsync(
        ServiceDefinition service, int? child, Provenance ours, CancellationToken cancellationToken, RestartWatch? restart = null)
    {
        var what = DeployText.Awaited(_manifest, service);
        _raise(new Waiting(service.Name, what, service.StartTimeout));
        var restarted = restart?.Master;
        Stopwatch? sameSince = null, goneSince = null;
        var ready = await Poll.UntilAsync(
            () =>
            {
                // Ask the cheap question (does the port listen?), and find the holders only once it does.
                if ((service.Port is not { } listening || _finder.IsListening(listening))
                    && _statusReader.Read(_manifest, [service])[0] is { State: not ServiceState.Stopped } status)
                {
                    goneSince = null;
                    if (NotOurs(service, status, ours) is { } stranger)
                    {
                        return new Readiness(null, null, stranger);
                    }

                    if (restarted is not null && status.Pid == restarted.Pid)
                    {
                        sameSince ??= Stopwatch.StartNew();
                        return sameSince.Elapsed >= SameMasterSettle && Signals.IsAlive(restarted) ? new Readiness(status, null, null) : null;
                    }

                    return new Readiness(status, null, null);
                }

                sameSince = null;
                if (restarted is not null && !Signals.IsAlive(restarted) && !Signals.GroupExists(restart!.CommandGroup))
                {
                    goneSince ??= Stopwatch.StartNew();
                    return !service.Daemonizes || goneSince.Elapsed >= GoneGrace ? GoneAfterRestart(service, restarted.Pid) : null;
                }

                goneSince = null;
                return child is { } pid && ShellCommand.TryReap(pid) is { } exit
                    ? new Readiness(null, exit, $"it {Describe(exit)} before it was ready (waiting for {what})")
                    : null;
            },
            service.StartTimeout,
            cancellationToken).ConfigureAwait(false);
        return ready ?? new Readiness(null, null, string.Create(CultureInfo.InvariantCulture,
            $"it was not ready within its start_timeout of {service.StartTimeout.TotalSeconds:0.##} s (waiting for {what})"));
    }

    private Readiness GoneAfterRestart(ServiceDefinition service, int master)
    {
        var nothing = service.Port is { } port ? $"port {port} no longer listens" : $"pidfile {StatusReader.PidfilePath(_manifest, service)} names no live process";
        return new Readiness(null, null,
            $"after its restart command, its process (pid {master}) is gone and {nothing}: the command stopped the service and started nothing " +
            "in its place. Give a restart command that starts it again, or \"restart\": true to have PbDeploy stop and start it")
        {
            Gone = true,
        };
    }

    /// <summary>Why the process now holding the service's port (or named by its pidfile) is not the one started; null when it is.</summary>
    private string? NotOurs(ServiceDefinition service, ServiceStatus status, Provenance ours)
    {
        var where = service.Port is { } port ? $"port {port} is held by" : $"pidfile {StatusReader.PidfilePath(_manifest, service)} names";
        var advice = service.Port is not null ? "Free the port, or give the service another port" : "Check what writes the pidfile";
        if (status.State == ServiceState.Foreign)
        {
            return status.Refusal ?? $"{status.Note}, so it is not a process pbdeploy started; pbdeploy takes it neither for '{service.Name}' nor signals it. {advice}";
        }

        if (ours.FirstStranger(status.Pids) is not { } pid)
        {
            return null;
        }

        var why = ours.CountsLaterProcesses
            ? "it started before the command did and descends from nothing it started"
            : "it is neither the start command's process nor one of its descendants";
        return $"{where} pid {pid}, which pbdeploy did not start ({why}): another project's process; pbdeploy takes it neither for '{service.Name}' nor signals it. {advice}";
    }

    private static string Describe(ExitStatus exit) => exit.Code is not null || exit.Signal is not null ? $"exited ({exit})" : "exited";

    private static string LogTail(string logPath) => ShellCommand.LastLines(ShellCommand.ReadTail(logPath, 16 * 1024), 20);
}
