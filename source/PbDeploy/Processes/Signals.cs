using PbDeploy.Platform;
using PbDeploy.Processes.Linux;

namespace PbDeploy.Processes;

/// <summary>
/// Signals that never hit the wrong process: each one is sent only after checking that the pid still is the process
/// that was found (same start time, not a zombie), that <see cref="SignalGuard"/> allows it (never pid 1, pbdeploy, its
/// ancestors, a kernel thread, a group of 1 or below or one holding pbdeploy or an ancestor), and never to another user's
/// process unless we are root.
/// </summary>
internal static class Signals
{
    /// <summary>SIGTERM.</summary>
    public const int Terminate = Libc.SIGTERM;

    /// <summary>SIGKILL.</summary>
    public const int Kill = Libc.SIGKILL;

    /// <summary>What <c>/proc</c> says of <paramref name="pid"/> now; null when it is gone.</summary>
    public static ProcessInfo? Describe(int pid) => ProcFs.ReadStat(pid);

    /// <summary>True while <paramref name="process"/> (same pid, same start time) is alive and not a zombie.</summary>
    public static bool IsAlive(ProcessInfo process)
    {
        ArgumentNullException.ThrowIfNull(process);
        DetachedChildren.ReapIfTracked(process.Pid); // our own detached child would otherwise stay a zombie until we reap it
        return ProcFs.ReadStat(process.Pid) is { IsZombie: false } now && now.StartTicks == process.StartTicks;
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="process"/> if it still is that process.</summary>
    /// <returns>False when the process is gone (nothing was sent).</returns>
    /// <exception cref="PbDeployException">The process is one pbdeploy never signals, belongs to another user, or the signal was refused.</exception>
    public static bool Send(ProcessInfo process, int signal)
    {
        ArgumentNullException.ThrowIfNull(process);
        SignalGuard.Check(process.Pid, signal); // before anything, so that a protected pid is refused loudly, alive or not
        if (!IsAlive(process))
        {
            return false;
        }

        CheckOwner(process.Pid);
        if (Libc.kill(process.Pid, signal) == 0)
        {
            return true;
        }

        var error = Libc.LastError;
        return error == Libc.ESRCH
            ? false
            : throw new EnvironmentException($"cannot send signal {signal} to pid {process.Pid}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error)}.");
    }

    /// <summary>
    /// SIGKILLs <paramref name="master"/>'s whole process group when it leads one (a detached or daemonized server and
    /// every child it left), else the master; then each of <paramref name="others"/> (described when they were found)
    /// that still is the same process. A server started from a shell shares that shell's group, which must not be killed;
    /// nor may a group that holds pbdeploy or one of its ancestors: then only the processes found are killed.
    /// </summary>
    /// <exception cref="PbDeployException">One of the processes is one pbdeploy never signals (checked before any signal is sent).</exception>
    public static void KillAll(ProcessInfo master, IEnumerable<ProcessInfo> others)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(others);
        var rest = others.Where(p => p.Pid != master.Pid).ToList();
        foreach (var process in rest.Prepend(master))
        {
            SignalGuard.Check(process.Pid, Libc.SIGKILL); // all or nothing: refuse before the first kill
        }

        if (IsAlive(master) && master.ProcessGroup == master.Pid && SignalGuard.ProtectedGroup(master.ProcessGroup) is null)
        {
            CheckOwner(master.Pid);
            _ = Libc.kill(-master.ProcessGroup, Libc.SIGKILL);
        }
        else
        {
            _ = Send(master, Libc.SIGKILL);
        }

        foreach (var other in rest)
        {
            _ = Send(other, Libc.SIGKILL); // only if it still is the process found: a reused pid is left alone
        }
    }

    /// <summary>Signals a process group we created ourselves (a command or a detached service we spawned).</summary>
    /// <exception cref="PbDeployException">The group is one pbdeploy never signals: ours, init's, "all", or one holding an ancestor.</exception>
    internal static void SendGroup(int processGroup, int signal)
    {
        SignalGuard.CheckGroup(processGroup, signal);
        _ = Libc.kill(-processGroup, signal);
    }

    /// <summary>Whether any process is left in the group.</summary>
    internal static bool GroupExists(int processGroup) => processGroup > 1 && Libc.kill(-processGroup, 0) == 0;

    private static void CheckOwner(int pid)
    {
        var me = Libc.geteuid();
        if (me == 0)
        {
            return; // root deploys servers that drop privileges (nginx workers, gunicorn --user)
        }

        var owner = ProcFs.ReadUid(pid);
        if (owner >= 0 && owner != me)
        {
            throw new EnvironmentException(
                $"pid {pid} belongs to uid {owner}, not to you (uid {me}); pbdeploy does not signal other users' processes. Run pbdeploy as that user.");
        }
    }
}
