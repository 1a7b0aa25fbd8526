namespace PbDeploy.Processes;

/// <summary>
/// What <c>/proc/PID/stat</c> says of a process. <see cref="StartTicks"/> tells a process from a later one that
/// got the same pid: check it before any signal.
/// </summary>
/// <param name="Pid">The process id.</param>
/// <param name="ParentPid">The parent's pid.</param>
/// <param name="ProcessGroup">The process group id.</param>
/// <param name="Session">The session id.</param>
/// <param name="State">The state letter (<c>R</c>, <c>S</c>, <c>Z</c> ...).</param>
/// <param name="StartTicks">Start time in clock ticks after boot.</param>
internal sealed record ProcessInfo(int Pid, int ParentPid, int ProcessGroup, int Session, char State, ulong StartTicks)
{
    /// <summary>A zombie: dead, waiting for its parent to reap it.</summary>
    public bool IsZombie => State is 'Z' or 'X';

    /// <summary>A kernel thread (PF_KTHREAD in the stat flags): it has no user program, and signalling it is never ours to do.</summary>
    public bool IsKernelThread { get; init; }
}
