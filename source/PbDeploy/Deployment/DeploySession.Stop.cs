using System.Diagnostics;
using System.Globalization;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace PbDeploy.Deployment;

public sealed partial class DeploySession
{
    private async Task<ServiceOutcome> StopAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.Stop;
        var status = CurrentStatus(service);
        if (status.State == ServiceState.Foreign)
        {
            return Failed(service, phase, Foreign(status));
        }

        if (status.State == ServiceState.Stopped)
        {
            return Outcome(service, phase, ServiceAction.NotRunning);
        }

        if (Signals.Describe(status.Pid!.Value) is not { } master)
        {
            return Directory.Exists("/proc/self")
                ? Outcome(service, phase, ServiceAction.NotRunning) // it exited since it was found
                : Failed(service, phase, $"pid {status.Pid} runs, but without /proc pbdeploy cannot check that it still is the process it found, so it does not signal it; stop it yourself.");
        }

        // Who holds the port now, pid and start time: a later SIGKILL goes only to these very processes.
        var holders = status.Pids.Select(Signals.Describe).OfType<ProcessInfo>().ToList();

        var context = ServiceContext.For(_manifest, service, status);
        if (context.Command(CommandKinds.Stop) is { } command)
        {
            var result = await RunCommandAsync(context, phase, CommandKinds.Stop, command, cancellationToken).ConfigureAwait(false);
            if (!result.Exit.Succeeded)
            {
                return CommandFailed(service, phase, CommandKinds.Stop, result) with { OldPid = master.Pid };
            }
        }
        else
        {
            _ = Signals.Send(master, Signals.Terminate);
        }

        if (await WaitUntilGoneAsync(service, master, service.StopTimeout, cancellationToken).ConfigureAwait(false))
        {
            return Outcome(service, phase, ServiceAction.Stopped) with { OldPid = master.Pid };
        }

        Signals.KillAll(master, holders);
        return await WaitUntilGoneAsync(service, master, KillGrace, cancellationToken).ConfigureAwait(false)
            ? Outcome(service, phase, ServiceAction.Stopped) with
            {
                OldPid = master.Pid,
                Message = string.Create(CultureInfo.InvariantCulture, $"killed with SIGKILL: still running after its stop_timeout of {service.StopTimeout.TotalSeconds:0.##} s"),
            }
            : Failed(service, phase, $"pid {master.Pid} is still running after SIGKILL; look at it with ps -p {master.Pid}") with { OldPid = master.Pid };
    }

    /// <summary>Gone: the master is dead (or a zombie, or its pid reused) and, for a port service, the port is free.</summary>
    private async Task<bool> WaitUntilGoneAsync(ServiceDefinition service, ProcessInfo master, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var what = service.Port is { } listening ? $"pid {master.Pid} to exit and port {listening} to be free" : $"pid {master.Pid} to exit";
        _raise(new Waiting(service.Name, what, timeout));
        var clock = Stopwatch.StartNew();
        var delay = 10;
        while (true)
        {
            if (!Signals.IsAlive(master) && (service.Port is not { } port || !_finder.IsListening(port)))
            {
                return true;
            }

            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 100);
        }
    }
}
