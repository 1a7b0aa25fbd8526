using System.IO.Pipes;
using System.Text;
using Microsoft.Win32.SafeHandles;
using PbDeploy.Platform;
using PbDeploy.Processes;

namespace PbDeploy.Hosts;

/// <summary>
/// Runs the ssh command (as git runs <c>GIT_SSH_COMMAND</c>: <c>/bin/sh -c 'VALUE "$@"' ssh ARGS</c>) in a process group
/// of its own, its stdout and stderr read line by line as they come. Its stdin is a pipe kept open while it runs: on
/// cancel the pipe is closed, so the remote pbdeploy reads EOF and stops what it started (without a terminal, sshd
/// does not signal a remote command when the client goes), then, after a grace, the ssh group gets SIGTERM and SIGKILL.
/// </summary>
internal static class SshProcess
{
    /// <summary>Runs ssh to its end.</summary>
    /// <returns>How ssh ended: the remote command's exit code, or 255 when ssh itself failed.</returns>
    public static async Task<ExitStatus> RunAsync(
        string sshCommand,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        Action<string> onOutput,
        Action<string> onError,
        TimeSpan grace,
        CancellationToken cancellationToken)
    {
        var input = Pipe();
        var output = Pipe();
        var error = Pipe();
        int pid;
        try
        {
            pid = Spawner.Spawn(new SpawnRequest(
                "/bin/sh", ["-c", sshCommand + " \"$@\"", "ssh", .. arguments], workingDirectory, ProgramRun.CurrentEnvironment(), output.Write, "a pipe")
            {
                ErrorFd = error.Write,
                InputFd = input.Read,
            });
        }
        catch
        {
            NativeFile.Close(input.Write);
            NativeFile.Close(output.Read);
            NativeFile.Close(error.Read);
            throw;
        }
        finally
        {
            // The child has its copies; ours would keep its stdin from ever ending and its output from ever closing.
            NativeFile.Close(input.Read);
            NativeFile.Close(output.Write);
            NativeFile.Close(error.Write);
        }

        using var stopReading = new CancellationTokenSource();
        var reading = Task.WhenAll(
            ReadLinesAsync(output.Read, onOutput, stopReading.Token),
            ReadLinesAsync(error.Read, onError, stopReading.Token));
        var stdin = input.Write;
        ExitStatus? exit;
        try
        {
            exit = await Poll.UntilAsync(() => ChildProcess.TryReap(pid), Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            NativeFile.Close(stdin);
            stdin = -1;
            exit = await Poll.UntilAsync(() => ChildProcess.TryReap(pid), grace, CancellationToken.None).ConfigureAwait(false)
                ?? await ProgramRun.StopGroupAsync(pid).ConfigureAwait(false)
                ?? ExitStatus.Unknown;
        }
        finally
        {
            NativeFile.Close(stdin);
        }

        // What ssh wrote before it exited is in the pipes; a process it left holding them (a ProxyCommand) is not waited for.
        if (await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false) != reading)
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await reading.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped above
        }

        return exit!;
    }

    /// <summary>
    /// The longest line passed on whole, in characters: a finished event carries each command's output (up to 256 KiB
    /// each, escaped as JSON). A longer line (a remote that never ends one) is passed on as its start and a note, so
    /// that memory stays bounded whatever the remote sends.
    /// </summary>
    internal const int MaxLine = 16 * 1024 * 1024;

    /// <summary>How much of a line longer than <see cref="MaxLine"/> is passed on.</summary>
    internal const int CutLineStart = 1024;

    /// <summary>Reads lines ended by <c>\n</c> (a <c>\r</c> before it is dropped, one elsewhere stays in the line), each at most <see cref="MaxLine"/> characters.</summary>
    private static async Task ReadLinesAsync(int fd, Action<string> onLine, CancellationToken cancellationToken)
    {
        using var stream = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(fd, ownsHandle: true));
        using var reader = new StreamReader(stream, new UTF8Encoding(false, false));
        var buffer = new char[64 * 1024];
        var line = new StringBuilder();
        long cut = 0; // characters dropped from the line being read, when it is too long
        void End()
        {
            var text = line.ToString();
            if (cut > 0)
            {
                onLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{text} … (a line of {text.Length + cut} characters, cut to its first {text.Length})"));
            }
            else
            {
                onLine(text.EndsWith('\r') ? text[..^1] : text);
            }

            _ = line.Clear();
            cut = 0;
        }

        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                var newline = Array.IndexOf(buffer, '\n', start, read - start);
                var end = newline < 0 ? read : newline;
                var room = (cut > 0 ? CutLineStart : MaxLine) - line.Length;
                var take = Math.Min(end - start, Math.Max(0, room));
                _ = line.Append(buffer, start, take);
                if (take < end - start)
                {
                    if (cut == 0)
                    {
                        // Too long: keep only its start from now on.
                        cut = line.Length - CutLineStart;
                        line.Length = CutLineStart;
                    }

                    cut += end - start - take;
                }

                if (newline < 0)
                {
                    break;
                }

                End();
                start = newline + 1;
            }
        }

        if (line.Length > 0 || cut > 0)
        {
            End();
        }
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            throw new EnvironmentException($"cannot run ssh: no pipe could be made ({new System.ComponentModel.Win32Exception(Libc.LastError).Message}).");
        }

        return (fds[0], fds[1]);
    }
}
