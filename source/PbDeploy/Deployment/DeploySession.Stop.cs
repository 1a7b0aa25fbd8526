using System.Globalization;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace PbDeploy.Deployment;

internal sealed partial class DeploySession
{
    private async Task<ServiceOutcome> StopAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.Stop;
        if (service.Ports is not null)
        {
            return await StopCopiesAsync(service, cancellationToken).ConfigureAwait(false);
        }

        var status = CurrentStatus(service);
        if (status.State == ServiceState.Foreign)
        {
            return Failed(service, phase, Foreign(status));
        }

        if (status.State == ServiceState.Stopped)
        {
            return Outcome(service, phase, ServiceAction.NotRunning);
        }

        return await StopRunningAsync(service, status, phase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops a service found running (for <c>pbdeploy stop</c>, and for <c>"restart": true</c> in <paramref name="phase"/>
    /// StartOrRestart): its <c>stop</c> command or SIGTERM to the tops of its process trees, then, after
    /// <c>stop_timeout</c>, SIGKILL to what is left of the very processes found.
    /// </summary>
    private async Task<ServiceOutcome> StopRunningAsync(ServiceDefinition service, ServiceStatus status, Phase phase, CancellationToken cancellationToken)
    {
        if (Signals.Describe(status.Pid!.Value) is not { } master)
        {
            return Directory.Exists("/proc/self")
                ? Outcome(service, phase, ServiceAction.NotRunning) // it exited since it was found
                : Failed(service, phase, $"pid {status.Pid} runs, but without /proc pbdeploy cannot check that it still is the process it found, so it does not signal it; stop it yourself.");
        }

        // Who holds the port now, pid and start time: a later SIGKILL goes only to these very processes. The tops of
        // their trees get the SIGTERM: the master, and each worker whose master died (its parent holds nothing).
        var holders = status.Pids.Select(Signals.Describe).OfType<ProcessInfo>().Where(h => h.Pid != master.Pid).Prepend(master).ToList();
        var roots = holders.Where(h => !holders.Any(p => p.Pid == h.ParentPid)).ToList();

        var context = ServiceContext.For(Current, service, status);
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
            foreach (var root in roots)
            {
                _ = Signals.Send(root, Signals.Terminate);
            }
        }

        if (await WaitUntilGoneAsync(service, roots, holders, service.StopTimeout, cancellationToken).ConfigureAwait(false))
        {
            return Outcome(service, phase, ServiceAction.Stopped) with { OldPid = master.Pid };
        }

        Signals.KillAll(master, holders);
        return await WaitUntilGoneAsync(service, roots, holders, KillGrace, cancellationToken).ConfigureAwait(false)
            ? Outcome(service, phase, ServiceAction.Stopped) with
            {
                OldPid = master.Pid,
                Message = string.Create(CultureInfo.InvariantCulture, $"killed with SIGKILL: still running after its stop_timeout of {service.StopTimeout.TotalSeconds:0.##} s"),
            }
            : Failed(service, phase, StillThere(service, holders)) with { OldPid = master.Pid };
    }

    /// <summary>Gone: every holder found is dead (or a zombie, or its pid reused) and, for a port service, the port is free.</summary>
    private async Task<bool> WaitUntilGoneAsync(ServiceDefinition service, List<ProcessInfo> roots, List<ProcessInfo> holders, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var who = roots.Count == 1 ? $"pid {roots[0].Pid} to exit" : $"pids {string.Join(", ", roots.Select(r => r.Pid))} to exit";
        var what = service.Port is { } listening ? $"{who} and port {listening} to be free" : who;
        _raise(new Waiting(service.Name, what, timeout));
        return await Poll.UntilAsync(
            () => !holders.Any(Signals.IsAlive) && (service.Port is not { } port || !_finder.IsListening(port)),
            timeout,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What is left after SIGKILL: only processes that really still run, never one that is already dead.</summary>
    private string StillThere(ServiceDefinition service, List<ProcessInfo> holders)
    {
        var alive = holders.Where(Signals.IsAlive).Select(h => h.Pid).ToList();
        if (alive.Count > 0)
        {
            var list = string.Join(",", alive);
            return alive.Count == 1
                ? $"pid {list} is still running after SIGKILL; look at it with ps -p {list}"
                : $"pids {string.Join(", ", alive)} are still running after SIGKILL; look at them with ps -p {list}";
        }

        var now = CurrentStatus(service);
        var holder = now switch
        {
            { State: ServiceState.Running } => $"it is now held by pid {now.Pid} ({string.Join(", ", now.Pids)})",
            { State: ServiceState.Foreign } => now.Note,
            _ => "it has just been freed",
        };
        return $"every process found holding port {service.Port} has exited, but the port still listened after SIGKILL: {holder}; look at it with ss -ltnp 'sport = :{service.Port}'";
    }
}
