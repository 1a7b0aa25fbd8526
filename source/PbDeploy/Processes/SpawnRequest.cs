namespace PbDeploy.Processes;

/// <summary>A process to start without pipes: stdin from <c>/dev/null</c>, stdout and stderr to a file.</summary>
/// <param name="Program">The executable's full path.</param>
/// <param name="Arguments">argv[1..].</param>
/// <param name="WorkingDirectory">The child's working directory; it must exist.</param>
/// <param name="Environment">The child's whole environment.</param>
/// <param name="OutputPath">The file that receives stdout and stderr.</param>
internal sealed record SpawnRequest(
    string Program,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    string OutputPath)
{
    /// <summary>Append to <see cref="OutputPath"/> (a log) instead of truncating it.</summary>
    public bool AppendOutput { get; init; }

    /// <summary>
    /// True: a new session (detached: outlives the caller, its terminal and its process group).
    /// False: a new process group in the caller's session, so the whole command can be signalled at once.
    /// </summary>
    public bool NewSession { get; init; }
}
