using PbDeploy.Platform;

namespace PbDeploy.Processes;

/// <summary>Reaps children started by <see cref="Spawner"/>: <c>waitpid</c> without blocking, polled with <see cref="Poll"/>, so waits can be cancelled.</summary>
internal static class ChildProcess
{
    /// <summary>The child's exit status if it has exited (reaping it), or null while it runs.</summary>
    public static unsafe ExitStatus? TryReap(int pid)
    {
        int status;
        var result = Libc.waitpid(pid, &status, Libc.WNOHANG);
        if (result == 0)
        {
            return null;
        }

        if (result < 0)
        {
            // ECHILD: not our child any more (already reaped, or SIGCHLD is ignored and the kernel reaped it).
            return ExitStatus.Unknown;
        }

        var signal = status & 0x7f;
        return signal == 0 ? new ExitStatus((status >> 8) & 0xff, null) : new ExitStatus(null, signal);
    }
}
