using System.Collections.Concurrent;

namespace PbDeploy.Processes.Linux;

/// <summary>
/// Scans processes' fds for a set of socket inodes, on two threads over a shared pid list, and stops as soon as every
/// inode has a holder (the rest of a master's holders are found among its descendants afterwards).
/// </summary>
internal sealed class HolderScan
{
    private const int ParallelThreshold = 64;
    private readonly ProcFs _proc;
    private readonly HashSet<ulong> _targets;
    private readonly Dictionary<ulong, int> _index;
    private readonly int[] _found;
    private int _remaining;

    public HolderScan(ProcFs proc, HashSet<ulong> targets)
    {
        _proc = proc;
        _targets = targets;
        _index = targets.Select((inode, i) => (inode, i)).ToDictionary(x => x.inode, x => x.i);
        _found = new int[targets.Count];
        _remaining = targets.Count;
    }

    /// <summary>Every holder found so far, with the target inodes it holds.</summary>
    public ConcurrentDictionary<int, List<ulong>> Holders { get; } = new();

    /// <summary>Pids whose fds were read, holders or not.</summary>
    public ConcurrentDictionary<int, byte> Checked { get; } = new();

    public bool AllFound => Volatile.Read(ref _remaining) == 0;

    /// <summary>
    /// Scans <paramref name="pids"/> until every target inode has a holder. With <paramref name="owners"/>, only the
    /// processes those uids own are scanned and the others are returned (those reached before every inode had a holder).
    /// </summary>
    public List<int> UntilAllFound(IReadOnlyList<int> pids, IReadOnlySet<int>? owners = null)
    {
        var skipped = new ConcurrentBag<int>();
        if (AllFound || pids.Count == 0)
        {
            return [];
        }

        var next = -1;
        void Work()
        {
            var hits = new List<ulong>(2);
            int i;
            while (!AllFound && (i = Interlocked.Increment(ref next)) < pids.Count)
            {
                if (!Check(pids[i], hits, owners, out _))
                {
                    skipped.Add(pids[i]);
                }
            }
        }

        if (pids.Count < ParallelThreshold)
        {
            Work();
        }
        else
        {
            // One plain thread, not the thread pool: starting the pool costs more than the second thread saves on
            // a small host, and a status runs this once.
            Exception? failure = null;
            var other = new Thread(() =>
            {
                try
                {
                    Work();
                }
                catch (Exception e)
                {
                    failure = e;
                }
            }) { IsBackground = true, Name = "pbdeploy fd scan" };
            other.Start();
            Work();
            other.Join();
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
        }

        return [.. skipped.Order()];
    }

    /// <summary>Reads the fds of <paramref name="pid"/> (once) and says whether it holds a target inode.</summary>
    public bool Check(int pid)
    {
        _ = Check(pid, new List<ulong>(2), owners: null, out var holds);
        return holds;
    }

    /// <summary>False when <paramref name="owners"/> does not own <paramref name="pid"/> (not read, not marked checked).</summary>
    private bool Check(int pid, List<ulong> hits, IReadOnlySet<int>? owners, out bool holds)
    {
        if (Checked.ContainsKey(pid))
        {
            holds = Holders.ContainsKey(pid);
            return true;
        }

        hits.Clear();
        holds = false;
        if (!_proc.SocketsHeld(pid, _targets, hits, owners))
        {
            return false;
        }

        if (!Checked.TryAdd(pid, 0) || hits.Count == 0)
        {
            holds = Holders.ContainsKey(pid);
            return true;
        }

        holds = true;
        Holders[pid] = [.. hits];
        foreach (var inode in hits)
        {
            if (Interlocked.Exchange(ref _found[_index[inode]], 1) == 0)
            {
                _ = Interlocked.Decrement(ref _remaining);
            }
        }

        return true;
    }
}
