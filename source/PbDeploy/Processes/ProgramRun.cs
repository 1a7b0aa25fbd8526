using System.Collections;
using System.Diagnostics;
using System.Text;
using PbDeploy.Platform;

namespace PbDeploy.Processes;

/// <summary>
/// The one way PbDeploy runs a program to its end (shell commands, <c>lsof</c>, <c>pbdeploy import</c>'s python3):
/// started with <see cref="Spawner"/> in a process group of its own, no pipes (its output goes to private files, read
/// once it exits, so a program that backgrounds a child holding the output cannot hang the caller), its exit awaited
/// with <see cref="Poll"/>, and on cancellation or timeout its whole group stopped. The output files are created 0600
/// with <c>O_EXCL|O_NOFOLLOW</c> in a folder only this user can write, and removed however the run ends.
/// </summary>
internal static class ProgramRun
{
    private const int MaxOutput = 256 * 1024;

    /// <summary>Runs <paramref name="request"/> and waits for it to exit, or for its timeout.</summary>
    /// <exception cref="OperationCanceledException">Cancelled: the program's group was stopped (SIGTERM, then SIGKILL).</exception>
    /// <exception cref="PbDeployException">The program is not found, or cannot be started; the output file cannot be created.</exception>
    public static async Task<ProgramResult> RunAsync(ProgramRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var program = Resolve(request.Program)
            ?? throw new EnvironmentException($"cannot run {request.Program}: there is no such program{(request.Program.Contains('/', StringComparison.Ordinal) ? "" : " on PATH")}.");
        using var files = new OutputFiles(request);
        var clock = Stopwatch.StartNew();
        var pid = Spawner.Spawn(new SpawnRequest(program, request.Arguments, request.WorkingDirectory, request.Environment, files.Output, files.OutputPath)
        {
            ErrorFd = files.Error,
        });
        ExitStatus? exit;
        try
        {
            exit = await Poll.UntilAsync(() => ChildProcess.TryReap(pid), request.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _ = await StopGroupAsync(pid).ConfigureAwait(false);
            throw;
        }

        var timedOut = exit is null;
        if (timedOut && request.LeaveRunningOnTimeout)
        {
            DetachedChildren.Track(pid); // reaped once it exits, however long after this returns
            return new ProgramResult(ExitStatus.Unknown, files.ReadOutput(), files.ReadError(), clock.Elapsed, TimedOut: true) { Pid = pid, StillRunning = true };
        }

        if (timedOut)
        {
            exit = await StopGroupAsync(pid).ConfigureAwait(false) ?? ExitStatus.Unknown;
        }

        return new ProgramResult(exit!, files.ReadOutput(), files.ReadError(), clock.Elapsed, timedOut) { Pid = pid };
    }

    /// <summary>
    /// SIGTERM to a process group we started, SIGKILL after two seconds to what is left of it, reaping its leader.
    /// </summary>
    /// <returns>How the leader ended; null if it still had not after five seconds.</returns>
    public static async Task<ExitStatus?> StopGroupAsync(int processGroup)
    {
        Signals.SendGroup(processGroup, Signals.Terminate);
        var exit = await Poll.UntilAsync(() => DetachedChildren.TryReap(processGroup), TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
        if (Signals.GroupExists(processGroup))
        {
            Signals.SendGroup(processGroup, Signals.Kill); // whatever the leader left behind in its group
        }

        return exit ?? await Poll.UntilAsync(() => DetachedChildren.TryReap(processGroup), TimeSpan.FromSeconds(3), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The full path of <paramref name="program"/>: itself when it holds a '/', else the first executable file of that name on <c>PATH</c>; null when there is none.</summary>
    public static string? Resolve(string program) => Resolve(program, Environment.GetEnvironmentVariable("PATH"));

    /// <summary>The full path of <paramref name="program"/>: as given when it has a <c>/</c>, else looked up on <paramref name="searchPath"/> (a <c>PATH</c> value); null when there is none.</summary>
    public static string? Resolve(string program, string? searchPath)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        }

        var path = searchPath is { Length: > 0 } p ? p : "/usr/local/bin:/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(candidate => File.Exists(candidate) && IsExecutable(candidate));
    }

    /// <summary>This process's environment, as a child gets it unless told otherwise.</summary>
    public static Dictionary<string, string> CurrentEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return environment;
    }

    /// <summary>UTF-8 text of what was read; a cut start is marked with "..." and begins at the next whole line.</summary>
    public static string Text((byte[] Bytes, bool Cut) read)
    {
        var text = Encoding.UTF8.GetString(read.Bytes);
        return read.Cut ? "..." + text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..] : text;
    }

    internal static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>The open output files of one run: a log appended to, or private temporary files removed on dispose.</summary>
    private sealed class OutputFiles : IDisposable
    {
        private readonly PrivateFolder? _folder;
        private readonly List<string> _temporaries = [];
        private readonly long _logStart;

        public OutputFiles(ProgramRequest request)
        {
            try
            {
                if (request.Log is not null)
                {
                    Output = LogFile.OpenAppend(request.Log);
                    OutputPath = Path.GetFullPath(request.Log);
                    _logStart = (long)(FileStat.Of(Output)?.Size ?? 0);
                }
                else
                {
                    _folder = request.ProjectDir is null ? PrivateFolder.ForUser() : PrivateFolder.ForProject(request.ProjectDir);
                    Output = Create("output-", out var name);
                    OutputPath = Path.Combine(_folder.Path, name);
                }

                if (request.SeparateError)
                {
                    _folder ??= PrivateFolder.ForUser();
                    Error = Create("error-", out _);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public int Output { get; } = -1;

        public string OutputPath { get; } = "";

        public int Error { get; } = -1;

        public string ReadOutput() => Text(NativeFile.ReadFrom(Output, _logStart, MaxOutput));

        public string ReadError() => Error >= 0 ? Text(NativeFile.ReadFrom(Error, 0, MaxOutput)) : "";

        public void Dispose()
        {
            NativeFile.Close(Output);
            NativeFile.Close(Error);
            if (_folder is not null)
            {
                foreach (var name in _temporaries)
                {
                    _folder.Delete(name);
                }

                _folder.Dispose();
            }
        }

        private int Create(string prefix, out string name)
        {
            (var fd, name) = _folder!.CreateFile(prefix, ".log");
            _temporaries.Add(name);
            return fd;
        }
    }
}
