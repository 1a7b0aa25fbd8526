namespace PbDeploy.Processes;

/// <summary>How a program run by <see cref="ProgramRun"/> ended, and what it wrote.</summary>
/// <param name="Exit">How it ended (for a timed-out run: after it was stopped).</param>
/// <param name="Output">Its stdout (and stderr, unless separate), the last 256 KiB, as UTF-8.</param>
/// <param name="Error">Its stderr when it was asked for separately, else empty.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="TimedOut">True when it ran past its timeout and was stopped (or, asked to, left running).</param>
internal sealed record ProgramResult(ExitStatus Exit, string Output, string Error, TimeSpan Duration, bool TimedOut)
{
    /// <summary>The program's pid, which leads its process group.</summary>
    public int Pid { get; init; }

    /// <summary>True when it timed out and was left running (<see cref="ProgramRequest.LeaveRunningOnTimeout"/>); <see cref="Exit"/> is then unknown.</summary>
    public bool StillRunning { get; init; }
}
