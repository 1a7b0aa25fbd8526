using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Templating;

namespace PbDeploy.Status;

/// <summary>Finds what runs for each service: every port in one pass over the processes, pidfiles checked one by one.</summary>
public sealed class StatusReader
{
    private readonly ProcessFinder _finder;

    /// <summary>Creates a reader over <paramref name="finder"/> (default: the fastest method of this system).</summary>
    public StatusReader(ProcessFinder? finder = null) => _finder = finder ?? new ProcessFinder();

    /// <summary>The status of <paramref name="services"/>, in the order given.</summary>
    /// <exception cref="TemplateException">A pidfile path references an unknown variable.</exception>
    public IReadOnlyList<ServiceStatus> Read(DeployManifest manifest, IReadOnlyList<ServiceDefinition> services)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(services);
        var pidfiles = services.Where(s => s.Port is null).ToDictionary(s => s.Name, s => PidfilePath(manifest, s));
        var owners = _finder.FindPortOwners([.. services.SelectMany(s => s.Ports ?? (s.Port is { } port ? [port] : []))]);

        return [.. services.Select(service => service switch
        {
            { Ports: { } ports } => FromPorts(service, ports, owners),
            { Port: { } port } => FromPort(service, owners[port]),
            _ => FromPidfile(service, PidfileProbe.Read(pidfiles[service.Name])),
        })];
    }

    /// <summary>The pidfile's full path: rendered with the service's variables (no <c>pid</c>), relative to the project dir.</summary>
    public static string PidfilePath(DeployManifest manifest, ServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(service);
        var rendered = VariableScope.ForService(manifest, service, process: null).Render(service.Pidfile)
            ?? throw new ArgumentException($"service '{service.Name}' has no pidfile", nameof(service));
        return Path.GetFullPath(rendered, manifest.ProjectDir);
    }

    /// <summary>
    /// A blue-green service: the copy on the port held by a process pbdeploy may take, the later one when both are (the
    /// other is a leftover, noted), else the first port's status (where a first deploy starts it).
    /// </summary>
    private static ServiceStatus FromPorts(ServiceDefinition service, IReadOnlyList<int> ports, IReadOnlyDictionary<int, PortOwner> owners)
    {
        var copies = ports.Select(port => FromPort(service.OnPort(port), owners[port])).ToList();
        if (Stranger(service, copies, ports, owners) is { } stranger)
        {
            copies[stranger.Index] = stranger.Status;
        }

        var running = copies.Where(c => c.State == ServiceState.Running).OrderBy(c => StartTicks(c.Pid!.Value)).ToList();
        ServiceStatus? leftover = null;
        string? note = null;
        ServiceStatus active;
        if (running.Count == 2)
        {
            (leftover, active) = (running[0], running[1]);
            note = $"both its ports listen: port {active.Port} (pid {active.Pid}) is the active copy, the one started later; the copy on port {leftover.Port} " +
                $"(pid {leftover.Pid}) is left from an interrupted deploy, and the next deploy stops it first";
        }
        else
        {
            active = running.Count == 1 ? running[0] : copies[0];
            if (copies.FirstOrDefault(c => c != active && c.State == ServiceState.Foreign) is { } taken)
            {
                note = $"its other port {taken.Port} is in use by a process pbdeploy may not take ({taken.Note}): a deploy cannot start a new copy there until it is free";
            }
        }

        return active with
        {
            Ports = ports,
            Leftover = leftover,
            Note = active.Note is null ? note : note is null ? active.Note : $"{active.Note}; {note}",
        };
    }

    /// <summary>
    /// With both ports held by processes whose listening sockets belong to different users, one is no copy of the
    /// service (two copies are started alike, so bind as the same user): another user's process that bound the port
    /// left free between deploys. It is the one not of this user (pbdeploy's), else the one started later. It is
    /// foreign: never the active copy (what <c>{services.NAME.port}</c> points at), never stopped as a leftover.
    /// </summary>
    private static (int Index, ServiceStatus Status)? Stranger(
        ServiceDefinition service, List<ServiceStatus> copies, IReadOnlyList<int> ports, IReadOnlyDictionary<int, PortOwner> owners)
    {
        if (copies.Any(c => c.State != ServiceState.Running) || owners[ports[0]].SocketUid is not { } first || owners[ports[1]].SocketUid is not { } second || first == second)
        {
            return null;
        }

        var euid = (int)Platform.NativeFile.Euid;
        var index = first == euid ? 1 : second == euid ? 0 : StartTicks(copies[0].Pid!.Value) > StartTicks(copies[1].Pid!.Value) ? 0 : 1;
        var (copy, other) = (copies[index], copies[1 - index]);
        var (uid, otherUid) = (owners[ports[index]].SocketUid, owners[ports[1 - index]].SocketUid);
        var refusal = $"port {copy.Port} is held by pid {copy.Pid} of uid {uid}, but the copy on port {other.Port} (pid {other.Pid}) by uid {otherUid}: " +
            $"it is not a copy of '{service.Name}' (two copies run as the same user), so pbdeploy neither takes it for one nor signals it. Free port {copy.Port}";
        return (index, copy with { State = ServiceState.Foreign, SocketUid = uid, Note = refusal, Refusal = refusal });
    }

    /// <summary>When a process started (0 when it is gone: it counts as the older).</summary>
    private static ulong StartTicks(int pid) => Signals.Describe(pid)?.StartTicks ?? 0;

    private static ServiceStatus FromPort(ServiceDefinition service, PortOwner owner)
    {
        // A holder pbdeploy must never signal (pid 1 holding a socket-activated port, pbdeploy's own shell ...): the port
        // is in use, but not by a service pbdeploy may start next to, restart or stop.
        if (owner.State == ServiceState.Running && SignalGuard.FirstProtected(owner.Pids.Prepend(owner.Pid!.Value)) is { } refused)
        {
            var refusal = $"port {owner.Port} is in use by pid {refused.Pid} ({refused.What}); pbdeploy will neither signal it nor start a second copy. Free the port by other means, or give the service another port";
            return new ServiceStatus
            {
                Name = service.Name,
                Port = service.Port,
                State = ServiceState.Foreign,
                Pid = owner.Pid,
                Pids = owner.Pids,
                Note = refusal,
                Refusal = refusal,
            };
        }

        return new ServiceStatus
        {
            Name = service.Name,
            Port = service.Port,
            State = owner.State,
            Pid = owner.Pid,
            Pids = owner.Pids,
            SocketUid = owner.State == ServiceState.Foreign ? owner.SocketUid : null,
            Note = owner.State == ServiceState.Foreign
                ? $"port {owner.Port} listens, but its process cannot be seen{(owner.SocketUid is { } uid ? $" (the socket belongs to uid {uid})" : "")}"
                : null,
        };
    }

    private static ServiceStatus FromPidfile(ServiceDefinition service, PidfileOwner owner) => new()
    {
        Name = service.Name,
        Pidfile = service.Pidfile?.Text,
        State = owner.State,
        Pid = owner.Pid,
        Pids = owner.Pid is { } pid ? [pid] : [],
        Note = owner.Warning,
        Refusal = owner.State == ServiceState.Foreign ? owner.Warning : null,
    };
}
