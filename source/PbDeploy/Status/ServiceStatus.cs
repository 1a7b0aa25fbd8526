using System.Globalization;
using PbDeploy.Processes;
using PbDeploy.Templating;

namespace PbDeploy.Status;

/// <summary>The state of one service, found from its port or pidfile.</summary>
public sealed record ServiceStatus
{
    /// <summary>The service's name.</summary>
    public required string Name { get; init; }

    /// <summary>The service's port, or null for a pidfile service; for a blue-green service, its active port (see <see cref="Ports"/>).</summary>
    public int? Port { get; init; }

    /// <summary>
    /// The two ports of a blue-green service, or null. The active one (<see cref="Port"/>) is the port held by a process
    /// pbdeploy may take; when both are, the copy started later; when neither is, the first.
    /// </summary>
    public IReadOnlyList<int>? Ports { get; init; }

    /// <summary>For a blue-green service whose two ports are both held by its copies: the copy on the other port, left by an interrupted deploy.</summary>
    internal ServiceStatus? Leftover { get; init; }

    /// <summary>The service's pidfile as written in the manifest, or null for a port service.</summary>
    public string? Pidfile { get; init; }

    /// <summary>Running, stopped or foreign (its holder cannot be seen, or is a process pbdeploy never signals: see <see cref="Refusal"/>).</summary>
    public required ServiceState State { get; init; }

    /// <summary>The master: the topmost holder of the port in the parent chain (or the pidfile's pid); null unless running, or refused (see <see cref="Refusal"/>).</summary>
    public int? Pid { get; init; }

    /// <summary>Every process holding the listening socket (master and workers, or orphaned workers whose master died), ascending; empty unless running or refused.</summary>
    public IReadOnlyList<int> Pids { get; init; } = [];

    /// <summary>For a foreign port: the uid that owns the listening socket.</summary>
    public int? SocketUid { get; init; }

    /// <summary>Why the state is what it is, when that is worth saying (a stale pidfile, an invisible owner).</summary>
    public string? Note { get; init; }

    /// <summary>
    /// For a foreign service whose process can be seen but is one pbdeploy never signals (init, pbdeploy itself, one of
    /// its ancestors, a kernel thread): why nothing is started, restarted or stopped for it, in one sentence; null otherwise.
    /// <see cref="Pid"/> and <see cref="Pids"/> then name the refused processes.
    /// </summary>
    public string? Refusal { get; init; }

    /// <summary>What the service's templates know of its process: <c>pid</c> and <c>pids</c> where it runs, else why not.</summary>
    internal ServiceProcess ForTemplates()
    {
        if (State == ServiceState.Running && Pid is { } pid)
        {
            return ServiceProcess.Running(pid, Pids);
        }

        var why = State == ServiceState.Foreign
            ? Refusal ?? $"{(Port is { } port ? $"port {port.ToString(CultureInfo.InvariantCulture)}" : $"pidfile {Pidfile}")} is in use by a process PbDeploy cannot see"
                + (SocketUid is { } uid ? $" (uid {uid.ToString(CultureInfo.InvariantCulture)})" : "")
            : ServiceProcess.NotRunning(Name, Port, Pidfile);
        return ServiceProcess.NotAvailable(Note is { Length: > 0 } note && note != Refusal ? $"{why}; {note}" : why);
    }
}
