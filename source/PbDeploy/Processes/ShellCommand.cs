using System.Diagnostics;
using System.Text;

namespace PbDeploy.Processes;

/// <summary>
/// Runs commands through <c>/bin/sh -c</c> with no pipes: output goes to a temporary file that is read once the shell
/// exits, so a command that backgrounds a server (which keeps the output open) cannot hang the caller.
/// </summary>
public static class ShellCommand
{
    private const int MaxOutput = 256 * 1024;

    /// <summary>The shell every command runs through.</summary>
    public const string Shell = "/bin/sh";

    /// <summary>
    /// Runs <paramref name="command"/> in its own process group and waits for the shell to exit. Cancelling sends
    /// SIGTERM to the group, then SIGKILL after two seconds, and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<CommandResult> RunAsync(
        string command, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var output = Path.Combine(Path.GetTempPath(), $"pbdeploy-output-{Guid.NewGuid():N}.log");
        var clock = Stopwatch.StartNew();
        try
        {
            var pid = Spawner.Spawn(new SpawnRequest(Shell, ["-c", command], workingDirectory, environment, output));
            ExitStatus exit;
            try
            {
                exit = await ChildProcess.WaitForExitAsync(pid, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await StopGroupAsync(pid).ConfigureAwait(false);
                throw;
            }

            return new CommandResult(command, exit, ReadTail(output, MaxOutput), clock.Elapsed);
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>
    /// Starts <paramref name="command"/> detached, in a session of its own, stdin from <c>/dev/null</c> and output
    /// appended to <paramref name="logPath"/>, so that it outlives the caller, its terminal and its process group.
    /// </summary>
    /// <returns>The shell's pid, which <c>exec</c>s a simple command and so usually is the server's pid.</returns>
    public static int StartDetached(string command, string workingDirectory, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        ArgumentNullException.ThrowIfNull(logPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(logPath))!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is UnauthorizedAccessException ? "permission denied" : e.Message;
            throw new PbDeployException($"cannot create the folder {folder} for the log {logPath}: {why}; create the folder, writable for this user, or set 'log' to another file.", e);
        }

        var pid = Spawner.Spawn(new SpawnRequest(Shell, ["-c", command], workingDirectory, environment, logPath)
        {
            AppendOutput = true,
            NewSession = true,
        });
        DetachedChildren.Track(pid);
        return pid;
    }

    /// <summary>Whether a process we started has exited (reaping it); null while it runs.</summary>
    public static ExitStatus? TryReap(int pid) => DetachedChildren.TryReap(pid);

    /// <summary>SIGTERM to a process group we started, SIGKILL after two seconds, then reap its leader.</summary>
    internal static async Task StopGroupAsync(int processGroup)
    {
        Signals.SendGroup(processGroup, Signals.Terminate);
        var deadline = Stopwatch.StartNew();
        while (DetachedChildren.TryReap(processGroup) is null && deadline.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        if (Signals.GroupExists(processGroup))
        {
            Signals.SendGroup(processGroup, Signals.Kill); // whatever the leader left behind in its group
        }
        while (DetachedChildren.TryReap(processGroup) is null && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>The last <paramref name="maxBytes"/> of a file as UTF-8 text (invalid bytes replaced); empty when there is none.</summary>
    public static string ReadTail(string path, int maxBytes)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var length = stream.Length;
            var start = Math.Max(0, length - maxBytes);
            stream.Position = start;
            var buffer = new byte[length - start];
            stream.ReadExactly(buffer);
            var text = Encoding.UTF8.GetString(buffer);
            return start > 0 ? "..." + text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..] : text;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
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
