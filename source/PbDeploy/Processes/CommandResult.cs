namespace PbDeploy.Processes;

/// <summary>A finished shell command.</summary>
/// <param name="Command">The command as run.</param>
/// <param name="Exit">How it ended.</param>
/// <param name="Output">Its stdout and stderr, interleaved as written (the last 256 KiB).</param>
/// <param name="Duration">How long it ran.</param>
public sealed record CommandResult(string Command, ExitStatus Exit, string Output, TimeSpan Duration)
{
    /// <summary>True when it ran past its timeout: then it was stopped (SIGTERM, then SIGKILL to its process group), or left running where the caller asked.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The pid of the shell that ran it, which leads the command's process group.</summary>
    internal int Pid { get; init; }

    /// <summary>True when it timed out and was left running (a start command asked to be kept); <see cref="Exit"/> is then unknown.</summary>
    internal bool StillRunning { get; init; }
}
