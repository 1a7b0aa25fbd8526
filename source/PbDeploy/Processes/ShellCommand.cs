using PbDeploy.Platform;

namespace PbDeploy.Processes;

/// <summary>
/// Runs commands through <c>/bin/sh -c</c> (or the service's <c>shell</c>: <c>SHELL -c</c>) with no pipes: output goes to a file that is read once the shell exits, so a
/// command that backgrounds a server (which keeps the output open) cannot hang the caller. That file is private: created
/// 0600 with <c>O_EXCL|O_NOFOLLOW</c> in a folder only this user can write, and removed however the command ends.
/// </summary>
internal static class ShellCommand
{
    /// <summary>The shell commands run through unless the manifest's <c>shell</c> says otherwise.</summary>
    public const string Shell = "/bin/sh";

    /// <summary>
    /// Runs <paramref name="command"/> in its own process group and waits for the shell to exit. Cancelling sends
    /// SIGTERM to the group, then SIGKILL after two seconds, and throws <see cref="OperationCanceledException"/>.
    /// The output goes through a temporary file in this user's runtime folder (<c>$XDG_RUNTIME_DIR/pbdeploy</c>,
    /// <c>/run/pbdeploy</c> for root, or <c>pbdeploy-UID</c> in the temporary folder), removed before this returns.
    /// </summary>
    public static Task<CommandResult> RunAsync(
        string command, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken) =>
        RunAsync(command, Shell, workingDirectory, environment, projectDir: null, log: null, Timeout.InfiniteTimeSpan, leaveRunningOnTimeout: false, cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> as <see cref="RunAsync(string, string, IReadOnlyDictionary{string, string}, CancellationToken)"/>
    /// does, with its output in a temporary file of the project's private <c>.pbdeploy</c> folder, or appended to
    /// <paramref name="log"/> when given (a start that backgrounds a server: the server keeps writing there, to a file
    /// that stays). The result's output is what this command wrote. Past <paramref name="timeout"/> its process group
    /// is stopped (SIGTERM, then SIGKILL) and the result says <see cref="CommandResult.TimedOut"/>; or, with
    /// <paramref name="leaveRunningOnTimeout"/>, it is left running for the caller to keep or stop. The command runs as
    /// <c><paramref name="shell"/> -c COMMAND</c>; <paramref name="shell"/> is a full path.
    /// </summary>
    internal static async Task<CommandResult> RunAsync(
        string command,
        string shell,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        string? projectDir,
        string? log,
        TimeSpan timeout,
        bool leaveRunningOnTimeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var run = await ProgramRun.RunAsync(
            new ProgramRequest(shell, ["-c", command], workingDirectory, environment)
            {
                ProjectDir = projectDir,
                Log = log,
                Timeout = timeout,
                LeaveRunningOnTimeout = leaveRunningOnTimeout,
            },
            cancellationToken).ConfigureAwait(false);
        return new CommandResult(command, run.Exit, run.Output, run.Duration) { TimedOut = run.TimedOut, Pid = run.Pid, StillRunning = run.StillRunning };
    }

    /// <summary>
    /// Starts <paramref name="command"/> detached, in a session of its own, stdin from <c>/dev/null</c> and output
    /// appended to <paramref name="logPath"/>, so that it outlives the caller, its terminal and its process group.
    /// The log is created 0600 (its folders 0700), and refused when it is a link, a FIFO or device, another user's
    /// file, or in a folder others can write.
    /// </summary>
    /// <returns>The shell's pid, which <c>exec</c>s a simple command and so usually is the server's pid.</returns>
    public static int StartDetached(string command, string shell, string workingDirectory, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        ArgumentNullException.ThrowIfNull(shell);
        ArgumentNullException.ThrowIfNull(logPath);
        var fd = LogFile.OpenAppend(logPath);
        try
        {
            var pid = Spawner.Spawn(new SpawnRequest(shell, ["-c", command], workingDirectory, environment, fd, Path.GetFullPath(logPath))
            {
                NewSession = true,
            });
            DetachedChildren.Track(pid);
            return pid;
        }
        finally
        {
            NativeFile.Close(fd); // the child has its own copy on 1 and 2
        }
    }

    /// <summary>
    /// The full path of the shell a <c>shell</c> setting names: <c>sh</c> is <c>/bin/sh</c>, <c>bash</c> the first
    /// <c>bash</c> on <paramref name="searchPath"/> (the commands' <c>PATH</c>), an absolute path itself when it is an
    /// executable file; null when there is none.
    /// </summary>
    public static string? LocateShell(string setting, string? searchPath)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return setting switch
        {
            "sh" => Shell,
            "bash" => ProgramRun.Resolve("bash", searchPath),
            _ => Path.IsPathFullyQualified(setting) && File.Exists(setting) && ProgramRun.IsExecutable(setting) ? setting : null,
        };
    }

    /// <summary>Whether a process we started has exited (reaping it); null while it runs.</summary>
    public static ExitStatus? TryReap(int pid) => DetachedChildren.TryReap(pid);

    /// <summary>
    /// The last <paramref name="maxBytes"/> of a file as UTF-8 text (invalid bytes replaced); empty when there is none,
    /// or when it is a link, a FIFO or a device (a log swapped for a link to a secret is not read into a message).
    /// </summary>
    public static string ReadTail(string path, int maxBytes)
    {
        var fd = NativeFile.Open(Libc.AT_FDCWD, path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK);
        try
        {
            return fd >= 0 && FileStat.Of(fd) is { IsRegular: true } ? ProgramRun.Text(NativeFile.ReadFrom(fd, 0, maxBytes)) : "";
        }
        finally
        {
            NativeFile.Close(fd);
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of <paramref name="text"/>.</summary>
    public static string LastLines(string text, int lines)
    {
        ArgumentNullException.ThrowIfNull(text);
        var all = text.TrimEnd('\n').Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
