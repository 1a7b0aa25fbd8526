using PbDeploy.Hosts;
using PbDeploy.Manifest;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Hosts;

/// <summary>The command line a host's shell parses: every word comes back as it was, whatever it holds.</summary>
public sealed class RemoteCommandTests
{
    [Theory]
    [InlineData("/srv/site")]
    [InlineData("/srv/my site")]
    [InlineData("/srv/it's \"here\"")]
    [InlineData("/srv/$(touch /tmp/pwned) `id` ; rm -rf / & | > < * ? [a] ~ {a,b} \\ !")]
    [InlineData("/srv/line\nbreak\ttab")]
    public async Task A_remote_shell_reads_back_every_word_as_it_was(string dir)
    {
        var host = new HostDefinition { Name = "web1", Ssh = "web1", Dir = dir };
        var command = HostDeployer.RemoteCommand(host, "deploy", ["--events", "json", "app", "it's"]);

        // What sshd does with it: the user's shell runs it with -c. Here printf stands in for pbdeploy.
        var result = await TestProgram.RunAsync("/bin/sh", ["-c", "printf '%s\\n' " + command[command.IndexOf(' ', StringComparison.Ordinal)..]], TimeSpan.FromSeconds(10));

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldBe(string.Join("", ((string[])["deploy", "--local", "--manifest", dir.TrimEnd('/') + "/pbdeploy.json", "--events", "json", "app", "it's"]).Select(w => w + "\n")));
    }

    [Fact]
    public void Ssh_gets_batch_mode_and_a_connect_timeout_before_the_destination_and_the_command_as_one_word()
    {
        var host = new HostDefinition { Name = "web1", Ssh = "ssh://deploy@web1:2222", Dir = "/srv/site", Pbdeploy = "/opt/pb deploy" };

        var arguments = HostDeployer.SshArguments(host, new HostRunOptions { ConnectTimeout = TimeSpan.FromSeconds(4) }, HostDeployer.RemoteCommand(host, "status", ["--json"]));

        arguments.ShouldBe(["-o", "BatchMode=yes", "-o", "ConnectTimeout=4", "--", "ssh://deploy@web1:2222", "'/opt/pb deploy' status --local --manifest /srv/site/pbdeploy.json --json"]);
    }

    [Theory]
    [InlineData("web1", "web1", null)]
    [InlineData("deploy@web1.example.org", "deploy@web1.example.org", null)]
    [InlineData("ssh://deploy@web1:2222", "deploy@web1", "2222")]
    [InlineData("ssh://web1", "web1", null)]
    public void Rsync_gets_an_ssh_url_as_host_and_port(string ssh, string destination, string? port)
    {
        HostDeployer.RsyncDestination(ssh).ShouldBe((destination, port));
    }

    /// <summary>
    /// OpenSSH reads options after the destination too: a remote command that begins with '-' (a host's "pbdeploy"
    /// setting such as "-oProxyCommand=...") would be a local ProxyCommand, run on this machine. "--" ends ssh's options.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task A_pbdeploy_setting_that_looks_like_an_ssh_option_is_never_read_as_one()
    {
        using var dir = new TempDirectory();
        var marker = dir.Combine("proxycommand-ran");
        // "-oProxyCommand=sh deploy --local ...": sh would run the file "deploy" of the folder ssh runs in.
        _ = dir.Write("deploy", $"touch '{marker}'\n");
        var host = new HostDefinition { Name = "web1", Ssh = "ssh://nobody@127.0.0.1:1", Dir = "/srv/site", Pbdeploy = "-oProxyCommand=sh" };
        var options = new HostRunOptions { SshCommand = "ssh -F /dev/null", ConnectTimeout = TimeSpan.FromSeconds(2) };
        var errors = new List<string>();

        var exit = await SshProcess.RunAsync(
            options.SshCommand, HostDeployer.SshArguments(host, options, HostDeployer.RemoteCommand(host, "deploy", [])), dir.Path, _ => { }, errors.Add, TimeSpan.FromSeconds(1), CancellationToken.None);

        exit.Code.ShouldBe(255, string.Join("\n", errors));
        File.Exists(marker).ShouldBeFalse("ssh ran the remote command's first word as a local ProxyCommand");
    }
}
