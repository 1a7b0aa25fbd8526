namespace PbDeploy.Processes;

/// <summary>A program to run to its end with <see cref="ProgramRun"/>: stdin from <c>/dev/null</c>, output to private files.</summary>
/// <param name="Program">A full path, or a name looked up on <c>PATH</c>.</param>
/// <param name="Arguments">argv[1..].</param>
/// <param name="WorkingDirectory">Where it runs; it must exist.</param>
/// <param name="Environment">Its whole environment.</param>
internal sealed record ProgramRequest(
    string Program,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The project whose private <c>.pbdeploy</c> folder holds the output files; null: the user's runtime folder.</summary>
    public string? ProjectDir { get; init; }

    /// <summary>A log to append stdout and stderr to, instead of a temporary file (what the program backgrounds keeps it).</summary>
    public string? Log { get; init; }

    /// <summary>True: stderr goes to a file of its own, returned as <see cref="ProgramResult.Error"/>; false: it goes with stdout.</summary>
    public bool SeparateError { get; init; }

    /// <summary>How long the program may run; after that its process group is stopped and <see cref="ProgramResult.TimedOut"/> is true.</summary>
    public TimeSpan Timeout { get; init; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>
    /// True: a program still running at <see cref="Timeout"/> is left running (its group is not stopped), for the
    /// caller to keep or stop (<see cref="ProgramRun.StopGroupAsync"/> with <see cref="ProgramResult.Pid"/>).
    /// </summary>
    public bool LeaveRunningOnTimeout { get; init; }
}
