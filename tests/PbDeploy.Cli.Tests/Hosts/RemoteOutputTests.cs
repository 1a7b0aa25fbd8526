using System.Diagnostics;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Deployment;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests.Hosts;

/// <summary>
/// What a remote host prints reaches the local terminal as text only: a compromised or odd host (its events' strings,
/// its command output, its other lines) cannot move the cursor, overwrite lines, set the clipboard (OSC 52) or forge a
/// line of its own. No sshd: <c>PBDEPLOY_SSH_COMMAND</c> is a script that prints chosen lines, as a host would.
/// </summary>
public sealed class RemoteOutputTests : IDisposable
{
    private const string Clipboard = "\e]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\a";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task Control_characters_from_a_remote_host_are_written_out_not_sent_to_the_terminal()
    {
        var outcome = new ServiceOutcome
        {
            Service = "app",
            Phase = Phase.StartOrRestart,
            Action = ServiceAction.Started,
            Pid = 4242,
            Duration = TimeSpan.FromSeconds(1),
            Output = "ok\rpwned\e[1A\e[K\u202Etxt.exe " + Clipboard,
        };
        string[] events =
        [
            DeployEventJson.Encode(new DeployWarning("app", "\e[31mred\e[0m\npbdeploy: error: forged line")),
            DeployEventJson.Encode(new ServiceFinished(outcome)),
            "a non-JSON line \e]0;new title\a with a bell\a",
            DeployEventJson.Encode(new DeployFinished(new DeployResult([outcome]), 0)),
        ];
        File.WriteAllLines(_dir.Combine("stdout.lines"), events);
        File.WriteAllText(_dir.Combine("stderr.lines"), "remote says \e[1A\e[2Kdone\r\n");
        var ssh = _dir.Write("fake-ssh", $"#!/bin/sh\ncat '{_dir.Combine("stdout.lines")}'\ncat '{_dir.Combine("stderr.lines")}' >&2\nexit 0\n");
        File.SetUnixFileMode(ssh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var manifest = _dir.Write("pbdeploy.json", """
            { "hosts": { "web1": { "ssh": "web1", "dir": "/srv/site" } },
              "services": { "app": { "port": 1, "start": "true" } } }
            """);

        var run = await RunAsync(ssh, "--manifest", manifest, "--verbose");

        var all = run.Stdout + run.Stderr;
        all.ShouldContain("web1: app: ", Case.Sensitive, all);
        all.Where(c => char.IsControl(c) && c is not '\n').Select(c => $"U+{(int)c:X4}").ShouldBeEmpty(all);
        all.ShouldNotContain("\u202E");
        all.ShouldContain("ok\\rpwned\\e[1A\\e[K\\u202Etxt.exe \\e]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07");
        all.ShouldContain("\\e[31mred\\e[0m\\npbdeploy: error: forged line");
        all.ShouldContain("a non-JSON line \\e]0;new title\\x07 with a bell\\x07");
        all.ShouldContain("remote says \\e[1A\\e[2Kdone");
        all.Split('\n').ShouldNotContain(line => line.StartsWith("pbdeploy: error: forged", StringComparison.Ordinal));
    }

    private async Task<RunResult> RunAsync(string sshCommand, params string[] args)
    {
        var stdout = _dir.Combine("out.txt");
        var stderr = _dir.Combine("err.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = _dir.Path };
        foreach (var arg in (string[])["-c", "exec \"$@\" </dev/null >\"$OUT\" 2>\"$ERR\"", "sh", "dotnet", Pbdeploy.ToolDll, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OUT"] = stdout;
        start.Environment["ERR"] = stderr;
        start.Environment["PBDEPLOY_SSH_COMMAND"] = sshCommand;
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new RunResult(process.ExitCode, await File.ReadAllTextAsync(stdout), await File.ReadAllTextAsync(stderr));
    }
}
