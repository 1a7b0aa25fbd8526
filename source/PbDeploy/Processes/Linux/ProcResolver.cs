
namespace PbDeploy.Processes.Linux;

/// <summary>
/// Port owners on Linux: the LISTEN sockets from netlink (or <c>/proc/net</c>), then their holders from one pass over
/// <c>/proc/*/fd</c> for all ports at once, reading no more processes than needed: first those of the sockets' uids,
/// then the others only for sockets still without a holder; then up the parent chain to the master, across to the
/// members of a dead master's process group (its orphaned workers), and down the descendants for the workers.
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
            ?? throw new EnvironmentException("cannot read /proc, so the processes listening on ports cannot be found; run where /proc is mounted.");

        var scan = new HolderScan(proc, [.. sockets.Select(s => s.Inode)]);
        ScanByOwner(proc, scan, [.. sockets.Select(s => s.Uid)]);
        ClimbToMasters(proc, scan);
        ScanOrphanedGroups(proc, scan);
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
        // The owner test runs inside the scan threads, on the fd folder each opens anyway, and only until every
        // socket has a holder.
        var others = scan.UntilAllFound(proc.ListPids(), socketUids);
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

    /// <summary>
    /// Workers whose master died were handed to init or a subreaper: they are neither ancestors nor descendants of the
    /// holder found first, so the climb and the descent miss them. They keep the dead master's process group, though,
    /// and its parent. A topmost holder that does not lead its group, and whose group leader is not one of its
    /// ancestors, may have such siblings: read the fds of every other member of that group; where the group cannot be
    /// named (0: its leader lives outside this PID namespace), of its siblings in the same group and session. A live
    /// master that leads its group (a detached or daemonized server, a systemd service) never costs this pass.
    /// </summary>
    private static void ScanOrphanedGroups(ProcFs proc, HolderScan scan)
    {
        var groups = new HashSet<int>();
        var siblingsOf = new List<ProcessInfo>();
        foreach (var pid in scan.Holders.Keys.ToList())
        {
            if (proc.Stat(pid) is not { } holder || scan.Holders.ContainsKey(holder.ParentPid) || holder.ProcessGroup == holder.Pid)
            {
                continue; // gone, a worker under a holder, or a group leader
            }

            if (holder.ProcessGroup > 1 && !HasAncestor(proc, holder, holder.ProcessGroup))
            {
                _ = groups.Add(holder.ProcessGroup);
            }
            else if (holder.ProcessGroup <= 1 && holder.ParentPid > 0)
            {
                siblingsOf.Add(holder);
            }
        }

        foreach (var holder in siblingsOf)
        {
            foreach (var sibling in proc.Children(holder.ParentPid) ?? AllChildren(proc).GetValueOrDefault(holder.ParentPid) ?? [])
            {
                if (!scan.Checked.ContainsKey(sibling)
                    && proc.Stat(sibling) is { IsZombie: false } other && other.ProcessGroup == holder.ProcessGroup && other.Session == holder.Session)
                {
                    _ = scan.Check(sibling);
                }
            }
        }

        if (groups.Count == 0)
        {
            return;
        }

        foreach (var pid in proc.ListPids())
        {
            if (!scan.Checked.ContainsKey(pid) && proc.Stat(pid) is { IsZombie: false } member && groups.Contains(member.ProcessGroup))
            {
                _ = scan.Check(pid);
            }
        }
    }

    private static bool HasAncestor(ProcFs proc, ProcessInfo process, int ancestor)
    {
        var seen = new HashSet<int>();
        var current = process;
        while (current.ParentPid > 0 && seen.Add(current.ParentPid))
        {
            if (current.ParentPid == ancestor)
            {
                return true;
            }

            if (proc.Stat(current.ParentPid) is not { } parent)
            {
                return false;
            }

            current = parent;
        }

        return false;
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
