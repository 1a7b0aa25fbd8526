using System.Diagnostics;
using System.Globalization;
using PbDeploy.Hosts;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Hosts;

/// <summary>
/// The ssh process against an odd or hostile remote, played by a script in place of ssh: a line that never ends keeps
/// memory bounded, and a remote that ignores the end of its stdin and SIGTERM is killed, by its process group, after
/// the grace.
/// </summary>
public sealed class SshProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task A_line_longer_than_the_limit_comes_as_its_start_and_a_note_and_the_next_line_whole()
    {
        const int sent = 40_000_000; // more than MaxLine: read whole, as it was, it would be 80 MB in one string
        var ssh = Script("fake-ssh", $"head -c {sent} /dev/zero | tr '\\0' a; printf '\\nafter\\r\\nlast'");
        var lines = new List<string>();

        var exit = await SshProcess.RunAsync(ssh, ["host", "cmd"], _dir.Path, lines.Add, _ => { }, TimeSpan.FromSeconds(1), CancellationToken.None);

        exit.Code.ShouldBe(0);
        lines.Count.ShouldBe(3);
        lines[0].Length.ShouldBeLessThan(SshProcess.CutLineStart + 100);
        lines[0].ShouldStartWith(new string('a', SshProcess.CutLineStart) + " … (a line of ");
        lines[0].ShouldEndWith(string.Create(CultureInfo.InvariantCulture, $"a line of {sent} characters, cut to its first {SshProcess.CutLineStart})"));
        lines[1].ShouldBe("after");
        lines[2].ShouldBe("last");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_remote_that_ignores_its_stdin_closing_and_SIGTERM_is_killed_after_the_grace()
    {
        var pidFile = _dir.Combine("pid");
        var ssh = Script("stubborn-ssh", $"trap '' TERM HUP INT; echo $$ > '{pidFile}'; while :; do sleep 1; done");
        using var cancel = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var run = SshProcess.RunAsync(ssh, ["host", "cmd"], _dir.Path, _ => { }, _ => { }, TimeSpan.FromSeconds(1), cancel.Token);
        await Wait.Until(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0, TimeSpan.FromSeconds(10), "the stubborn remote to start");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        try
        {
            clock.Restart();
            await cancel.CancelAsync();
            var exit = await run.WaitAsync(TimeSpan.FromSeconds(20));

            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8), "grace (1 s) + SIGTERM's 2 s, then SIGKILL");
            exit.Signal.ShouldNotBeNull();
            Gone(pid).ShouldBeTrue("the remote's shell is gone (a zombie at most, its parent killed too)");
        }
        finally
        {
            if (!Gone(pid))
            {
                Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
        }
    }

    private static bool Gone(int pid) => Signals.Describe(pid) is null or { IsZombie: true };

    private string Script(string name, string body)
    {
        var path = _dir.Write(name, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
