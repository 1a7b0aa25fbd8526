using PbDeploy.Processes.Linux;

namespace PbDeploy.Processes;

/// <summary>
/// Which processes a start or restart may take for its service once the port listens: the process it started and that
/// process's descendants; for a command that backgrounds its server (a daemonizing start, a restart command), a process
/// that started after the command did; for a restart, the master it restarted and that master's descendants. Another
/// project's process that binds the port meanwhile is none of these: it is never taken for the service, nor signalled.
/// </summary>
internal sealed class Provenance
{
    private readonly ProcessInfo? _root;
    private readonly ulong? _since;
    private readonly ProcessInfo? _previous;

    private Provenance(ProcessInfo? root, ulong? since, ProcessInfo? previous)
    {
        _root = root;
        _since = since;
        _previous = previous;
    }

    /// <summary>Whether a holder started after this moment or descends from a process started in it.</summary>
    public bool CountsLaterProcesses => _since is not null;

    /// <summary>The process <paramref name="pid"/> we just spawned, and its descendants.</summary>
    public static Provenance SpawnedAs(int pid) => new(Signals.Describe(pid), null, null);

    /// <summary>Processes started from now on (call just before running the command that starts them).</summary>
    public static Provenance StartedFromNow() => new(null, ProcessClock.NextTick(), null);

    /// <summary>Processes started from now on, and <paramref name="previousMaster"/> (as it is now) with its descendants.</summary>
    public static Provenance RestartOf(int? previousMaster) =>
        new(null, ProcessClock.NextTick(), previousMaster is { } pid ? Signals.Describe(pid) : null);

    /// <summary>The first of <paramref name="pids"/> that is not ours; null when they all are (or are gone).</summary>
    public int? FirstStranger(IEnumerable<int> pids)
    {
        using var proc = ProcFs.Open();
        if (proc is null)
        {
            return null; // without /proc (lsof) there are no start times to compare: the port's holder is taken as before
        }

        foreach (var pid in pids)
        {
            if (proc.Stat(pid) is { IsZombie: false } process && !IsOurs(proc, process))
            {
                return pid;
            }
        }

        return null;
    }

    private bool IsOurs(ProcFs proc, ProcessInfo process)
    {
        if (_since is { } since && process.StartTicks >= since)
        {
            return true;
        }

        // Up the parent chain: a descendant of the process we started (or restarted), the very one by pid and start time.
        var seen = new HashSet<int>();
        for (var current = process; current is not null && seen.Add(current.Pid); current = current.ParentPid > 0 ? proc.Stat(current.ParentPid) : null)
        {
            if (Same(current, _root) || Same(current, _previous))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Same(ProcessInfo current, ProcessInfo? known) =>
        known is not null && current.Pid == known.Pid && current.StartTicks == known.StartTicks;
}
