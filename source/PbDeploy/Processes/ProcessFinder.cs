using PbDeploy.Processes.Linux;

namespace PbDeploy.Processes;

/// <summary>
/// Finds the processes listening on TCP ports: LISTEN sockets only, IPv4 and IPv6, any bind address, exact port.
/// One call resolves any number of ports in one pass over the processes.
/// </summary>
public sealed class ProcessFinder
{
    private readonly FinderMethod _method;

    /// <summary>Creates a finder; <see cref="FinderMethod.Auto"/> picks the fastest method this system has.</summary>
    public ProcessFinder(FinderMethod method = FinderMethod.Auto) => _method = method;

    /// <summary>The owner of each port, keyed by port.</summary>
    public IReadOnlyDictionary<int, PortOwner> FindPortOwners(IReadOnlyCollection<int> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var distinct = ports.Distinct().ToList();
        if (distinct.Count == 0)
        {
            return new Dictionary<int, PortOwner>();
        }

        var method = _method;
        if (method == FinderMethod.Auto)
        {
            method = Directory.Exists("/proc/self/fd") ? FinderMethod.Netlink : FinderMethod.Lsof;
        }

        return method == FinderMethod.Lsof
            ? LsofResolver.Resolve(distinct)
            : ProcResolver.Resolve(distinct, useNetlink: method == FinderMethod.Netlink);
    }

    /// <summary>The owner of one port.</summary>
    public PortOwner FindPortOwner(int port) => FindPortOwners([port])[port];
}
