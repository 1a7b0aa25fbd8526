using PbDeploy.Processes.Linux;

namespace PbDeploy.Processes;

/// <summary>
/// Finds the processes listening on TCP ports: LISTEN sockets only, IPv4 and IPv6, any bind address, exact port.
/// One call resolves any number of ports in one pass over the processes.
/// </summary>
public sealed class ProcessFinder
{
    private static readonly bool HasProc = Directory.Exists("/proc/self/fd");
    private readonly FinderMethod _method;

    /// <summary>Creates a finder; <see cref="FinderMethod.Auto"/> picks the fastest method this system has.</summary>
    /// <exception cref="EnvironmentException">Not Linux on x64 or arm64 (<see cref="PlatformSupport"/>).</exception>
    public ProcessFinder(FinderMethod method = FinderMethod.Auto)
    {
        Platform.PlatformCheck.ThrowIfUnsupported();
        _method = method;
    }

    /// <summary>The owner of each port, keyed by port.</summary>
    public IReadOnlyDictionary<int, PortOwner> FindPortOwners(IReadOnlyCollection<int> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var distinct = ports.Distinct().ToList();
        if (distinct.Count == 0)
        {
            return new Dictionary<int, PortOwner>();
        }

        return Method() == FinderMethod.Lsof
            ? LsofResolver.Resolve(distinct)
            : ProcResolver.Resolve(distinct, useNetlink: Method() == FinderMethod.Netlink);
    }

    /// <summary>The owner of one port.</summary>
    public PortOwner FindPortOwner(int port) => FindPortOwners([port])[port];

    /// <summary>
    /// Whether something listens on <paramref name="port"/>, without looking for its holders: the cheap question to
    /// poll while waiting for a service to be ready or gone (a netlink query, where a full answer scans <c>/proc</c>).
    /// </summary>
    public bool IsListening(int port) => Method() switch
    {
        FinderMethod.Netlink => (SockDiag.Query([port]) ?? ProcNetTcp.Query([port])).Count > 0,
        FinderMethod.ProcNet => ProcNetTcp.Query([port]).Count > 0,
        _ => FindPortOwner(port).State != ServiceState.Stopped,
    };

    private FinderMethod Method() => _method != FinderMethod.Auto ? _method : HasProc ? FinderMethod.Netlink : FinderMethod.Lsof;
}
