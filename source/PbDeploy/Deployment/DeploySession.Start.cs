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

        if (status.State == ServiceState.Running && service.Restart is null)
        {
            return Outcome(service, phase, ServiceAction.LeftRunning) with
            {
                OldPid = status.Pid,
                Pid = status.Pid,
                Message = "running, and it has no restart command: left alone",
            };
        }

        var context = ServiceContext.For(_manifest, service, status);
        var files = TemplateWriter.Write(_manifest, service, context.Scope);
        if (files.Count > 0)
        {
            _raise(new TemplatesRendered(service.Name, files));
        }

        return status.State == ServiceState.Running
            ? await RestartAsync(context, status, cancellationToken).ConfigureAwait(false)
            : await StartAsync(service, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ServiceOutcome> StartAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.StartOrRestart;
        var context = ServiceContext.For(_manifest, service, null);
        var command = context.Command(CommandKinds.Start)!;
        if (service.Daemonizes)
        {
            var ours = Provenance.StartedFromNow(); // the server it backgrounds starts after this
            // Into the service's log: a server the command backgrounds keeps writing there, to a file that stays.
            var result = await RunCommandAsync(context, phase, CommandKinds.Start, command, cancellationToken, context.LogPath).ConfigureAwait(false);
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
        var pid = ShellCommand.StartDetached(command, context.WorkingDirectory, context.Environment, context.LogPath);
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
        var ours = Provenance.RestartOf(before.Pid);
        var result = await RunCommandAsync(context, phase, CommandKinds.Restart, context.Command(CommandKinds.Restart)!, cancellationToken).ConfigureAwait(false);
        if (!result.Exit.Succeeded)
        {
            return CommandFailed(service, phase, CommandKinds.Restart, result) with { OldPid = before.Pid };
        }

        var ready = await WaitUntilReadyAsync(service, child: null, ours, cancellationToken).ConfigureAwait(false);
        return ready.Status is { } running
            ? Outcome(service, phase, ServiceAction.Restarted) with { OldPid = before.Pid, Pid = running.Pid }
            : Failed(service, phase, $"{ready.Failure} after its restart command", ShellCommand.LastLines(result.Output, 20)) with { OldPid = before.Pid };
    }

    private sealed record Readiness(ServiceStatus? Status, ExitStatus? Exit, string? Failure);

    /// <summary>
    /// Polls until the service is ready: its port listens, or its pidfile names a live pid, and every holder is
    /// <paramref name="ours"/>. Fails at once when another project's process holds the port meanwhile (or one pbdeploy
    /// cannot see), and early when <paramref name="child"/> exits first.
    /// </summary>
    private async Task<Readiness> WaitUntilReadyAsync(ServiceDefinition service, int? child, Provenance ours, CancellationToken cancellationToken)
    {
        var what = DeployText.Awaited(_manifest, service);
        _raise(new Waiting(service.Name, what, service.StartTimeout));
        var ready = await Poll.UntilAsync(
            () =>
            {
                // Ask the cheap question (does the port listen?), and find the holders only once it does.
                if ((service.Port is not { } listening || _finder.IsListening(listening))
                    && _statusReader.Read(_manifest, [service])[0] is { State: not ServiceState.Stopped } status)
                {
                    return NotOurs(service, status, ours) is { } stranger ? new Readiness(null, null, stranger) : new Readiness(status, null, null);
                }

                return child is { } pid && ShellCommand.TryReap(pid) is { } exit
                    ? new Readiness(null, exit, $"it {Describe(exit)} before it was ready (waiting for {what})")
                    : null;
            },
            service.StartTimeout,
            cancellationToken).ConfigureAwait(false);
        return ready ?? new Readiness(null, null, string.Create(CultureInfo.InvariantCulture,
            $"it was not ready within its start_timeout of {service.StartTimeout.TotalSeconds:0.##} s (waiting for {what})"));
    }

    /// <summary>Why the process now holding the service's port (or named by its pidfile) is not the one started; null when it is.</summary>
    private static string? NotOurs(ServiceDefinition service, ServiceStatus status, Provenance ours)
    {
        var where = service.Port is { } port ? $"port {port} is held by" : $"pidfile {service.Pidfile} names";
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
