namespace PbDeploy.Processes;

/// <summary>A process to start without pipes: stdin from <c>/dev/null</c>, stdout and stderr to a file the caller opened.</summary>
/// <param name="Program">The executable's full path.</param>
/// <param name="Arguments">argv[1..].</param>
/// <param name="WorkingDirectory">The child's working directory; it must exist.</param>
/// <param name="Environment">The child's whole environment.</param>
/// <param name="OutputFd">
/// The open file (close-on-exec, above 2) that receives stdout and stderr. The caller opens it, so that it checks the
/// file it opened (no link, no FIFO, its owner) and creates it with its final mode; the child gets a copy on 1 and 2.
/// </param>
/// <param name="OutputPath">That file's path, for messages.</param>
internal sealed record SpawnRequest(
    string Program,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    int OutputFd,
    string OutputPath)
{
    /// <summary>
    /// True: a new session (detached: outlives the caller, its terminal and its process group).
    /// False: a new process group in the caller's session, so the whole command can be signalled at once.
    /// </summary>
    public bool NewSession { get; init; }

    /// <summary>An open file (close-on-exec, above 2) for stderr alone; -1 (the default): stderr goes with stdout.</summary>
    public int ErrorFd { get; init; } = -1;

    /// <summary>An open file or pipe end (close-on-exec, above 2) for stdin; -1 (the default): <c>/dev/null</c>.</summary>
    public int InputFd { get; init; } = -1;
}
