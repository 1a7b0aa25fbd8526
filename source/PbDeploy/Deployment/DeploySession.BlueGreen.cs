using System.Globalization;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;
using PbDeploy.Templating;

namespace PbDeploy.Deployment;

/// <summary>
/// Blue-green by port (<c>"ports": [A, B]</c>): a running service is replaced by a new copy on its free port, the
/// running services that depend on it are re-rendered and restarted to point at it, then the old copy is stopped.
/// </summary>
internal sealed partial class DeploySession
{
    /// <summary>A running service that depends on the one being switched: its status before, and after its restart the processes it let go.</summary>
    private sealed record Dependent(ServiceDefinition Service, ServiceStatus Status)
    {
        public TemplateBackup? Backup { get; set; }

        public bool Restarted { get; set; }

        public IReadOnlyList<ProcessInfo> Leaving { get; set; } = [];
    }

    /// <summary>
    /// Starts, or replaces, a blue-green service. A copy left by an interrupted deploy (both ports held) is stopped
    /// first. Nothing runs: its templates are rendered with <c>{port}</c> = the first port, and it is started there. A
    /// running copy: see <see cref="ReplaceAsync"/>.
    /// </summary>
    private async Task<ServiceOutcome> BlueGreenAsync(ServiceDefinition service, ServiceStatus status, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.StartOrRestart;
        if (status.Leftover is { } leftover)
        {
            var stopped = await StopRunningAsync(service.OnPort(leftover.Port!.Value), leftover, phase, cancellationToken).ConfigureAwait(false);
            if (stopped.IsFailure)
            {
                return stopped with { Message = $"could not stop the copy on port {leftover.Port} (pid {leftover.Pid}) left by an interrupted deploy: {stopped.Message}" };
            }

            _raise(new DeployWarning(service.Name, $"stopped the copy on port {leftover.Port} (pid {leftover.Pid}) left by an interrupted deploy; the copy on port {status.Port} is the active one"));
        }

        if (status.State != ServiceState.Running)
        {
            var first = service.OnPort(status.Port!.Value);
            var started = await WithTemplatesAsync(first, () => StartAsync(first, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (!started.IsFailure)
            {
                _active[service.Name] = first.Port!.Value;
            }

            return started;
        }

        return await ReplaceAsync(service, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces the running copy: (1) its templates rendered with <c>{port}</c> = the free port and the new copy started
    /// there; (2) ready there, or stopped and its templates restored, nothing else touched; (3) every running service
    /// that depends on it re-rendered (<c>{services.NAME.port}</c> = the new port) and restarted; (4) the processes those
    /// restarts let go (nginx's old workers, finishing their requests) awaited, up to the dependent's
    /// <c>stop_timeout</c>; (5) the old copy stopped as <c>pbdeploy stop</c> does.
    /// </summary>
    private async Task<ServiceOutcome> ReplaceAsync(ServiceDefinition service, ServiceStatus status, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.StartOrRestart;
        var oldPort = status.Port!.Value;
        var newPort = service.Ports!.First(p => p != oldPort);
        var fresh = service.OnPort(newPort);
        var old = service.OnPort(oldPort);

        var target = CurrentStatus(fresh);
        if (target.State != ServiceState.Stopped)
        {
            var holder = target.State == ServiceState.Foreign ? target.Note : $"pid {target.Pid}";
            return Failed(service, phase,
                $"port {newPort}, where the new copy would start, is in use ({holder}): nothing was started or stopped, the copy on port {oldPort} (pid {status.Pid}) still serves. Free port {newPort}, or give 'ports' another port")
                with { OldPid = status.Pid };
        }

        var dependents = RunningDependents(service);
        if (Unswitchable(service, dependents, newPort) is { } refusal)
        {
            return Failed(service, phase, refusal) with { OldPid = status.Pid };
        }

        var context = ServiceContext.For(Current, fresh, null);
        var prepared = TemplateWriter.Prepare(Current, fresh, context.Scope);
        var backup = prepared.Backup();
        var ours = Provenance.StartedFromNow();
        var switched = false;
        try
        {
            Rendered(service, prepared.Commit(backup));
            var started = await StartAsync(fresh, cancellationToken).ConfigureAwait(false);
            if (started.IsFailure)
            {
                await StopNewCopyAsync(fresh, ours).ConfigureAwait(false);
                return started with
                {
                    OldPid = status.Pid,
                    Message = $"the new copy on port {newPort} failed, and the copy on port {oldPort} (pid {status.Pid}) still serves: {started.Message}{DeployText.Restored(backup.Restore())}",
                };
            }

            if (Impostor(oldPort, newPort) is { } impostor)
            {
                // Never stopped: it is not a process this deploy started, whatever the time it started.
                return Failed(service, phase,
                    $"{impostor}: nothing was switched, and the copy on port {oldPort} (pid {status.Pid}) still serves{DeployText.Restored(backup.Restore())}") with { OldPid = status.Pid };
            }

            _raise(new SwitchingOver(service.Name, oldPort, newPort, [.. dependents.Select(d => d.Service.Name)]));
            _active[service.Name] = newPort;
            if (await SwitchDependentsAsync(dependents, cancellationToken).ConfigureAwait(false) is { } failure)
            {
                _active[service.Name] = oldPort;
                var back = await SwitchBackAsync(dependents).ConfigureAwait(false);
                await StopNewCopyAsync(fresh, ours).ConfigureAwait(false);
                return Failed(service, phase,
                    $"the new copy on port {newPort} was ready, but {failure}; stopped the new copy, and the copy on port {oldPort} (pid {status.Pid}) still serves{back}{DeployText.Restored(backup.Restore())}") with { OldPid = status.Pid };
            }

            switched = true;
            await DrainAsync(dependents, cancellationToken).ConfigureAwait(false);
            var left = CurrentStatus(old);
            var stopped = left.State == ServiceState.Running
                ? await StopRunningAsync(old, left, phase, cancellationToken).ConfigureAwait(false)
                : Outcome(service, phase, ServiceAction.NotRunning); // it exited by itself meanwhile
            if (stopped.IsFailure)
            {
                return stopped with
                {
                    OldPid = status.Pid,
                    Pid = started.Pid,
                    Message = $"now on port {newPort} (pid {started.Pid}), but stopping the copy on port {oldPort} failed: {stopped.Message}; the next deploy stops it first",
                };
            }

            return Outcome(service, phase, ServiceAction.Restarted) with
            {
                OldPid = status.Pid,
                Pid = started.Pid,
                Message = $"now on port {newPort}; stopped the copy on port {oldPort}{Switched(dependents)}",
            };
        }
        catch (Exception e) when (!switched && AsFailure(service, phase, e, cancellationToken) is { } failed)
        {
            // Interrupted, or a failure of its own, before its dependents were switched: as if it never began.
            _active[service.Name] = oldPort;
            var back = await SwitchBackAsync(dependents).ConfigureAwait(false);
            await StopNewCopyAsync(fresh, ours).ConfigureAwait(false);
            return failed with
            {
                OldPid = status.Pid,
                Message = $"{failed.Message}; the new copy on port {newPort} was stopped, and the copy on port {oldPort} (pid {status.Pid}) still serves{back}{DeployText.Restored(backup.Restore())}",
            };
        }
        catch (Exception e) when (AsFailure(service, phase, e, cancellationToken) is { } failed)
        {
            // Its dependents already point at the new copy: keep it; the old one is a leftover the next deploy stops.
            return failed with
            {
                OldPid = status.Pid,
                Message = $"{failed.Message}; the new copy on port {newPort} serves, the copy on port {oldPort} (pid {status.Pid}) may still run: the next deploy stops it first",
            };
        }
    }

    /// <summary>
    /// Why what holds the new copy's port is not the new copy, though it started after its start command did (all a
    /// daemonizing start can tell): its listening socket is another user's than the old copy's, and copies are started
    /// alike. Another user bound the free port while the start command ran. Null when it is the same user (or unknown).
    /// </summary>
    private string? Impostor(int oldPort, int newPort)
    {
        var owners = _finder.FindPortOwners([oldPort, newPort]);
        var (old, fresh) = (owners[oldPort], owners[newPort]);
        return fresh.SocketUid is { } uid && old.SocketUid is { } oldUid && uid != oldUid
            ? $"port {newPort} is held by pid {fresh.Pid} of uid {uid}, but the copy on port {oldPort} by uid {oldUid}: it is no copy of the service " +
                $"(copies run as the same user) but another user's process, which pbdeploy neither takes nor signals. Free port {newPort}"
            : null;
    }

    /// <summary>The manifest with each blue-green service's <c>port</c> at its active port: what <c>{services.NAME.port}</c> renders to now.</summary>
    private DeployManifest Current => _manifest.WithActivePorts(_active);

    /// <summary>Every running service that depends on <paramref name="service"/> directly, selected in this run or not, in manifest order.</summary>
    private List<Dependent> RunningDependents(ServiceDefinition service)
    {
        var services = _manifest.Services.Where(s => s.DependsOn.Contains(service.Name)).ToList();
        if (services.Count == 0)
        {
            return [];
        }

        var statuses = ReadStatuses(services);
        return [.. services.Where(s => statuses[s.Name].State == ServiceState.Running).Select(s => new Dependent(s, statuses[s.Name]))];
    }

    /// <summary>Why the dependents cannot be switched to the new copy (one runs and can be neither restarted nor replaced); null when they can.</summary>
    private static string? Unswitchable(ServiceDefinition service, List<Dependent> dependents, int newPort)
    {
        if (dependents.FirstOrDefault(d => d.Service.Ports is not null) is { } blueGreen)
        {
            return $"service '{blueGreen.Service.Name}' depends on it and is blue-green itself ('ports'): pbdeploy does not switch a blue-green service over to a new copy of another; " +
                $"nothing was started or stopped. Give '{blueGreen.Service.Name}' a 'port' and a restart, or deploy it without depending on '{service.Name}'";
        }

        return dependents.FirstOrDefault(d => d.Service.LeftRunning) is { } stuck
            ? $"service '{stuck.Service.Name}' depends on it and runs without a restart, so it cannot be switched to the new copy on port {newPort}; nothing was started or stopped. " +
                $"Add a restart to '{stuck.Service.Name}' (for nginx: \"restart\": \"kill -s HUP {{pid}}\"), or \"restart\": true"
            : null;
    }

    /// <summary>
    /// Re-renders and restarts each dependent (<c>{services.NAME.port}</c> is the new port by now), noting the
    /// processes each restart let go. The first failure ends it, its templates restored: its description, else null.
    /// </summary>
    private async Task<string?> SwitchDependentsAsync(List<Dependent> dependents, CancellationToken cancellationToken)
    {
        foreach (var dependent in dependents)
        {
            var service = dependent.Service;
            var context = ServiceContext.For(Current, service, dependent.Status);
            var prepared = TemplateWriter.Prepare(Current, service, context.Scope);
            dependent.Backup = prepared.Backup();
            Rendered(service, prepared.Commit(dependent.Backup));
            var before = dependent.Status.Pids.Select(Signals.Describe).OfType<ProcessInfo>().ToList();
            var restarted = service.RestartsByStopAndStart
                ? await StopAndStartAsync(service, dependent.Status, cancellationToken).ConfigureAwait(false)
                : await RestartAsync(context, dependent.Status, cancellationToken).ConfigureAwait(false);
            if (restarted.IsFailure)
            {
                var restored = DeployText.Restored(dependent.Backup.Restore()).Replace("its templates", $"the templates of '{service.Name}'", StringComparison.Ordinal);
                dependent.Backup = null;
                return $"restarting '{service.Name}' to switch it failed: {restarted.Message}{restored}";
            }

            dependent.Restarted = true;
            var holding = CurrentStatus(service).Pids;
            dependent.Leaving = [.. before.Where(p => !holding.Contains(p.Pid))];
        }

        return null;
    }

    /// <summary>
    /// Puts each dependent already switched back as it was: its templates restored and restarted again, pointing at
    /// the old copy. Runs however the deploy ended (interrupted too), so not cancelled. Returns what it did, for the message.
    /// </summary>
    private async Task<string> SwitchBackAsync(List<Dependent> dependents)
    {
        var done = new List<string>();
        foreach (var dependent in dependents.Where(d => d.Backup is not null))
        {
            var restored = dependent.Backup!.Restore();
            dependent.Backup = null;
            if (restored.Count == 0 && !dependent.Restarted)
            {
                continue; // its config was not changed, and it was not restarted
            }

            var service = dependent.Service;
            var status = CurrentStatus(service);
            using var bound = new CancellationTokenSource(service.StartTimeout + service.StopTimeout + KillGrace);
            var again = status.State != ServiceState.Running ? null
                : service.RestartsByStopAndStart ? await StopAndStartAsync(service, status, bound.Token).ConfigureAwait(false)
                : await RestartAsync(ServiceContext.For(Current, service, status), status, bound.Token).ConfigureAwait(false);
            done.Add(again is { IsFailure: false }
                ? $"'{service.Name}' was switched back (its templates restored and restarted again)"
                : $"'{service.Name}' could not be switched back ({again?.Message ?? "it no longer runs"}): check it");
        }

        return done.Count > 0 ? "; " + string.Join("; ", done) : "";
    }

    /// <summary>
    /// Waits until the processes each dependent's restart let go have exited (nginx's old workers finish their requests
    /// to the old copy), up to that dependent's <c>stop_timeout</c>: by pid and start time, as they close their
    /// listening sockets at once.
    /// </summary>
    private async Task DrainAsync(List<Dependent> dependents, CancellationToken cancellationToken)
    {
        foreach (var dependent in dependents.Where(d => d.Leaving.Count > 0))
        {
            var leaving = dependent.Leaving;
            var pids = string.Join(", ", leaving.Select(p => p.Pid));
            _raise(new Waiting(dependent.Service.Name, $"its old processes ({pids}) to finish their requests", dependent.Service.StopTimeout));
            if (!await Poll.UntilAsync(() => !leaving.Any(Signals.IsAlive), dependent.Service.StopTimeout, cancellationToken).ConfigureAwait(false))
            {
                _raise(new DeployWarning(dependent.Service.Name, string.Create(CultureInfo.InvariantCulture,
                    $"its old processes ({string.Join(", ", leaving.Where(Signals.IsAlive).Select(p => p.Pid))}) still ran after its stop_timeout of {dependent.Service.StopTimeout.TotalSeconds:0.##} s; stopping the old copy anyway")));
            }
        }
    }

    /// <summary>Stops what holds the new copy's port, if it is a process started by this deploy; never cancelled (it cleans up).</summary>
    private async Task StopNewCopyAsync(ServiceDefinition fresh, Provenance ours)
    {
        var status = CurrentStatus(fresh);
        if (status.State == ServiceState.Running && NotOurs(fresh, status, ours) is null)
        {
            _ = await StopRunningAsync(fresh, status, Phase.StartOrRestart, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops every copy of a blue-green service, on either port (the active one and a leftover, as status sees them:
    /// another user's process on the other port is no copy, and is left alone); one outcome.
    /// </summary>
    private async Task<ServiceOutcome> StopCopiesAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        const Phase phase = Phase.Stop;
        var status = CurrentStatus(service);
        if (status.State == ServiceState.Foreign)
        {
            return Failed(service, phase, Foreign(status));
        }

        var copies = new[] { status.Leftover, status }.OfType<ServiceStatus>().Where(c => c.State == ServiceState.Running).Select(c => (c.Port!.Value, c.Pid)).ToList();
        var stopped = new List<ServiceOutcome>();
        foreach (var port in service.Ports!.Where(p => copies.Any(c => c.Item1 == p)))
        {
            var copy = service.OnPort(port);
            var now = CurrentStatus(copy);
            if (now.State == ServiceState.Running && now.Pid == copies.First(c => c.Item1 == port).Pid)
            {
                var outcome = await StopRunningAsync(copy, now, phase, cancellationToken).ConfigureAwait(false);
                if (outcome.IsFailure)
                {
                    return outcome;
                }

                stopped.Add(outcome);
            }
        }

        _active.TryRemove(service.Name, out _);
        return stopped.Count switch
        {
            0 => Outcome(service, phase, ServiceAction.NotRunning),
            1 => stopped[0],
            _ => stopped[^1] with
            {
                Message = $"stopped the copies on both ports: {string.Join(", ", service.Ports!.Zip(stopped, (port, s) => $"port {port} (pid {s.OldPid}{(s.Message is null ? "" : $", {s.Message}")})"))}",
            },
        };
    }

    private void Rendered(ServiceDefinition service, IReadOnlyList<RenderedFile> files)
    {
        if (files.Count > 0)
        {
            _raise(new TemplatesRendered(service.Name, files));
        }
    }

    private static string Switched(List<Dependent> dependents) => dependents.Count == 0
        ? ""
        : $"; switched {string.Join(", ", dependents.Select(d => $"'{d.Service.Name}'"))} to it";
}
