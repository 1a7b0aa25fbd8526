
namespace PbDeploy.Processes;

/// <summary>Who listens on a TCP port.</summary>
/// <param name="Port">The port.</param>
/// <param name="State">Stopped (nothing listens), running (we see the holders) or foreign (it listens, but its holder cannot be seen).</param>
/// <param name="Pid">The master: the topmost holder in the parent chain; null unless running.</param>
/// <param name="Pids">Every holder of the listening socket(s), ascending, orphaned workers of a dead master included; empty unless running.</param>
/// <param name="SocketUid">The uid owning the listening socket, where known (always for foreign ports found through netlink).</param>
public sealed record PortOwner(int Port, ServiceState State, int? Pid, IReadOnlyList<int> Pids, int? SocketUid)
{
    /// <summary>Nothing listens on <paramref name="port"/>.</summary>
    public static PortOwner Stopped(int port) => new(port, ServiceState.Stopped, null, [], null);
}
