using PbDeploy.Tests.Support;
using PbDeploy.Cli.Tests.Support;

namespace PbDeploy.Cli.Tests.Hosts;

/// <summary>The fixture itself: each host answers over ssh in a namespace of its own, with its own 127.0.0.1.</summary>
[Collection(HostsCollection.Name)]
public sealed class SshHostsTests(SshHosts hosts)
{
    [HostsFact(Timeout = 60_000)]
    public async Task Each_host_answers_over_ssh_from_its_own_network_namespace()
    {
        hosts.EnsureReady();
        foreach (var host in hosts.Names)
        {
            var result = await TestProgram.RunAsync(
                "ssh", ["-F", hosts.Config, "-o", "BatchMode=yes", host, "ip netns identify $$; command -v pbdeploy"], TimeSpan.FromSeconds(20));
            result.ExitCode.ShouldBe(0, result.Stderr);
            result.Stdout.ShouldStartWith(hosts.Namespace(host) + "\n");
            result.Stdout.ShouldContain("/bin/pbdeploy");
        }
    }

    [HostsFact(Timeout = 60_000)]
    public async Task A_host_without_sshd_is_unreachable()
    {
        hosts.EnsureReady();
        var result = await TestProgram.RunAsync(
            "ssh", ["-F", hosts.Config, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", SshHosts.Down, "true"], TimeSpan.FromSeconds(20));
        result.ExitCode.ShouldBe(255);
    }
}
