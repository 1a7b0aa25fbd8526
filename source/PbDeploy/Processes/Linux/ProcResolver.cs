using PbDeploy.Status;

namespace PbDeploy.Processes.Linux;

/// <summary>
/// Port owners on Linux: the LISTEN sockets from netlink (or <c>/proc/net</c>), then their holders from one pass over
/// <c>/proc/*/fd</c> for all ports at once, reading no more processes than needed: first those of the sockets' uids,
/// then the others only for sockets still without a holder; then up the parent chain to the master and down its
/// descendants for the workers.
/// </summary>
internal static class ProcResolver
{
    public static Dictionary<int, PortOwner> Resolve(List<int> ports, bool useNetlink)
    {
        var result = ports.ToDictionary(p => p, PortOwner.Stopped);
        var sockets = FindSockets(ports, useNetlink);
        if (sockets.Count == 0)
        {
            return result;
        }

        using var proc = ProcFs.Open()
            ?? throw new PbDeployException("cannot read /proc, so the processes listening on ports cannot be found; run where /proc is mounted.");

        var scan = new HolderScan(proc, [.. sockets.Select(s => s.Inode)]);
        ScanByOwner(proc, scan, [.. sockets.Select(s => s.Uid)]);
        ClimbToMasters(proc, scan);
        ScanDescendants(proc, scan);

        var stats = new Dictionary<int, ProcessInfo>();
        foreach (var pid in scan.Holders.Keys)
        {
            if (proc.Stat(pid) is { IsZombie: false } info)
            {
                stats[pid] = info;
            }
        }

        foreach (var port in ports)
        {
            var inodes = sockets.Where(s => s.Port == port).Select(s => s.Inode).ToHashSet();
            if (inodes.Count == 0)
            {
                continue;
            }

            var holders = stats.Values.Where(p => scan.Holders[p.Pid].Any(inodes.Contains)).ToList();
            result[port] = holders.Count > 0
                ? Running(port, holders, sockets.First(s => s.Port == port).Uid)
                : Unseen(port, useNetlink);
        }

        return result;
    }

    private static List<ListenSocket> FindSockets(IReadOnlyCollection<int> ports, bool useNetlink) =>
        (useNetlink ? SockDiag.Query(ports) : null) ?? ProcNetTcp.Query(ports);

    private static void ScanByOwner(ProcFs proc, HolderScan scan, HashSet<int> socketUids)
    {
        // The owner test runs inside the scan threads, and only until every socket has a holder.
        var others = scan.UntilAllFound(proc.ListPids(), pid => socketUids.Contains(proc.Uid(pid)));
        _ = scan.UntilAllFound(others); // a server may bind as root, then drop to another user
    }

    private static void ClimbToMasters(ProcFs proc, HolderScan scan)
    {
        foreach (var pid in scan.Holders.Keys.ToList())
        {
            var current = pid;
            while (proc.Stat(current) is { ParentPid: > 1 } info && scan.Check(info.ParentPid))
            {
                current = info.ParentPid;
            }
        }
    }

    private static void ScanDescendants(ProcFs proc, HolderScan scan)
    {
        var queue = new Queue<int>(scan.Holders.Keys);
        var seen = new HashSet<int>(queue);
        Dictionary<int, List<int>>? childrenByParent = null;
        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            var children = proc.Children(pid);
            if (children is null)
            {
                childrenByParent ??= AllChildren(proc);
                children = childrenByParent.GetValueOrDefault(pid) ?? [];
            }

            foreach (var child in children)
            {
                if (seen.Add(child))
                {
                    _ = scan.Check(child);
                    queue.Enqueue(child);
                }
            }
        }
    }

    /// <summary>The parent-to-children map from every process's stat: for kernels without <c>/proc/PID/task/TID/children</c>.</summary>
    private static Dictionary<int, List<int>> AllChildren(ProcFs proc)
    {
        var map = new Dictionary<int, List<int>>();
        foreach (var pid in proc.ListPids())
        {
            if (proc.Stat(pid) is { } info)
            {
                if (!map.TryGetValue(info.ParentPid, out var list))
                {
                    map[info.ParentPid] = list = [];
                }

                list.Add(pid);
            }
        }

        return map;
    }

    private static PortOwner Running(int port, List<ProcessInfo> holders, int socketUid)
    {
        var pids = holders.Select(h => h.Pid).ToHashSet();
        var master = holders
            .Where(h => !pids.Contains(h.ParentPid))
            .OrderBy(h => h.StartTicks)
            .ThenBy(h => h.Pid)
            .First();
        return new PortOwner(port, ServiceState.Running, master.Pid, [.. pids.Order()], socketUid);
    }

    /// <summary>A socket without a visible holder: ask again, for it may just have closed (then the port is free).</summary>
    private static PortOwner Unseen(int port, bool useNetlink)
    {
        var again = FindSockets([port], useNetlink);
        return again.Count == 0
            ? PortOwner.Stopped(port)
            : new PortOwner(port, ServiceState.Foreign, null, [], again[0].Uid);
    }
}
