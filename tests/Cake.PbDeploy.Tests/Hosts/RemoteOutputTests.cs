using Cake.PbDeploy.Tests.Support;
using PbDeploy.Deployment;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests.Hosts;

/// <summary>
/// What a remote host prints reaches Cake's log as text only, as on the command line: no cursor moves, no line
/// overwrites, no clipboard (OSC 52), no forged lines. No sshd: <c>PBDEPLOY_SSH_COMMAND</c> is a script that prints
/// chosen lines, as a host would. In the hosts' collection, which sets that variable one test at a time.
/// </summary>
[Collection(HostsCollection.Name)]
public sealed class RemoteOutputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("PBDEPLOY_SSH_COMMAND", null);
        _dir.Dispose();
    }

    [Fact(Timeout = 180_000)]
    public async Task Control_characters_from_a_remote_host_are_written_out_in_cakes_log()
    {
        var outcome = new ServiceOutcome
        {
            Service = "app",
            Phase = Phase.StartOrRestart,
            Action = ServiceAction.Failed,
            Duration = TimeSpan.FromSeconds(1),
            Message = "failed \e[2K\rall good",
            Output = "out\rpwned \e]52;c;Y3VybCBldmlsIHwgc2g=\a",
        };
        File.WriteAllLines(_dir.Combine("stdout.lines"),
        [
            DeployEventJson.Encode(new DeployWarning("app", "\e[31mred\e[0m\nError: forged line")),
            DeployEventJson.Encode(new ServiceFinished(outcome)),
            "a non-JSON line \e]0;new title\a",
            DeployEventJson.Encode(new DeployFinished(new DeployResult([outcome]), 1)),
        ]);
        var ssh = _dir.Write("fake-ssh", $"#!/bin/sh\ncat '{_dir.Combine("stdout.lines")}'\nprintf 'remote says \\033[1Adone\\n' >&2\nexit 1\n");
        File.SetUnixFileMode(ssh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Environment.SetEnvironmentVariable("PBDEPLOY_SSH_COMMAND", ssh);
        _ = _dir.Write("pbdeploy.json", """
            { "hosts": { "web1": { "ssh": "web1", "dir": "/srv/site" } },
              "services": { "app": { "port": 1, "start": "true" } } }
            """);

        var run = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + """
            PbDeployTasks("pbdeploy.json");
            RunTarget("Deploy");
            """, "--verbosity=verbose");

        run.ExitCode.ShouldNotBe(0, run.Output);
        run.Output.ShouldContain("[web1]", Case.Sensitive, run.Output);
        run.Output.Where(c => char.IsControl(c) && c is not '\n' and not '\r').Select(c => $"U+{(int)c:X4}").ShouldBeEmpty(run.Output);
        run.Output.ShouldContain("\\e[31mred\\e[0m\\nError: forged line");
        run.Output.ShouldContain("failed \\e[2K\\rall good");
        run.Output.ShouldContain("out\\rpwned \\e]52;c;Y3VybCBldmlsIHwgc2g=\\x07");
        run.Output.ShouldContain("a non-JSON line \\e]0;new title\\x07");
        run.Output.ShouldContain("remote says \\e[1Adone");
        run.Output.Split('\n').ShouldNotContain(line => line.StartsWith("Error: forged", StringComparison.Ordinal));
    }
}
