using System.Text;
using PbDeploy.Manifest;

namespace PbDeploy.Tests.Manifest;

/// <summary>The manifest's <c>hosts</c> and <c>rollout</c>: read in order, and every mistake one line with its place.</summary>
public sealed class HostsManifestTests
{
    private const string Path = "/srv/project/pbdeploy.json";

    [Fact]
    public void Hosts_and_rollout_are_read_in_manifest_order()
    {
        var manifest = Load("""
            {
              "hosts": {
                "web1": { "ssh": "deploy@web1.example.org", "dir": "/srv/site" },
                "web2": { "ssh": "ssh://deploy@web2:2222", "dir": "/srv/site/", "pbdeploy": "/opt/pbdeploy/pbdeploy" }
              },
              "rollout": { "batch": 1, "wait": 2.5 },
              "services": { "web": { "port": 8000, "start": "serve" } }
            }
            """);

        manifest.Hosts.Select(h => (h.Name, h.Ssh, h.Dir, h.Pbdeploy)).ShouldBe([
            ("web1", "deploy@web1.example.org", "/srv/site", null),
            ("web2", "ssh://deploy@web2:2222", "/srv/site/", "/opt/pbdeploy/pbdeploy"),
        ]);
        manifest.Rollout.Batch.ShouldBe(1);
        manifest.Rollout.Wait.ShouldBe(TimeSpan.FromSeconds(2.5));
    }

    [Fact]
    public void Without_hosts_a_manifest_has_none_and_the_rollout_takes_all_at_once()
    {
        var manifest = Load("""{ "services": { "web": { "port": 8000, "start": "serve" } } }""");

        manifest.Hosts.ShouldBeEmpty();
        manifest.Rollout.Batch.ShouldBeNull();
        manifest.Rollout.Wait.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"-oProxyCommand=evil\", \"dir\": \"/srv/site\" } }", 2, 31, "hosts.web1.ssh: must not start with '-' (ssh would read it as an option), got \"-oProxyCommand=evil\"; give a host, user@host or ssh://user@host:port")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1 -p 22\", \"dir\": \"/srv/site\" } }", 2, 31, "hosts.web1.ssh: must be one ssh destination without spaces, got \"web1 -p 22\"; put options in ~/.ssh/config or PBDEPLOY_SSH_COMMAND")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"\", \"dir\": \"/srv/site\" } }", 2, 31, "hosts.web1.ssh: must not be empty")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1::module\", \"dir\": \"/srv/site\" } }", 2, 31, "hosts.web1.ssh: \"web1::module\" has a ':', which ssh does not take for a port and rsync (--sync) reads as a remote path or a daemon (host::module); give a port as ssh://user@host:port, and an IPv6 address through a Host alias in ~/.ssh/config")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"deploy@web1:2222\", \"dir\": \"/srv/site\" } }", 2, 31, "hosts.web1.ssh: \"deploy@web1:2222\" has a ':', which ssh does not take for a port and rsync (--sync) reads as a remote path or a daemon (host::module); give a port as ssh://user@host:port, and an IPv6 address through a Host alias in ~/.ssh/config")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1\", \"dir\": \"srv/site\" } }", 2, 46, "hosts.web1.dir: must be an absolute path (the project folder on the host), got \"srv/site\"")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1\", \"dir\": \"/\" } }", 2, 46, "hosts.web1.dir: \"/\" is the root folder, not a project folder: --sync makes the host's dir an exact copy of the project (rsync --delete removes everything else there); give the project's own folder, such as \"/srv/site\"")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1\", \"dir\": \"/etc\" } }", 2, 46, "hosts.web1.dir: \"/etc\" is a system folder, not a project folder: --sync makes the host's dir an exact copy of the project (rsync --delete removes everything else there); give the project's own folder, such as \"/srv/site\"")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1\", \"dir\": \"/home/\" } }", 2, 46, "hosts.web1.dir: \"/home/\" is a system folder, not a project folder: --sync makes the host's dir an exact copy of the project (rsync --delete removes everything else there); give the project's own folder, such as \"/srv/site\"")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1\", \"dir\": \"/srv/site/../..\" } }", 2, 46, "hosts.web1.dir: \"/srv/site/../..\" goes through . or .., so it may be any folder, not a project folder: --sync makes the host's dir an exact copy of the project (rsync --delete removes everything else there); give the project's own folder, such as \"/srv/site\"")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1\" } }", 2, 22, "hosts.web1: 'dir' is required: the project folder on the host (\"/srv/site\")")]
    [InlineData("\"hosts\": { \"web1\": { \"dir\": \"/srv/site\" } }", 2, 22, "hosts.web1: 'ssh' is required: where ssh connects (\"deploy@web1.example.org\", an ssh config alias)")]
    [InlineData("\"hosts\": { \"web1\": { \"ssh\": \"web1\", \"dir\": \"/srv/site\", \"pbdploy\": \"/x\" } }", 2, 59, "hosts.web1: unknown key 'pbdploy'; did you mean 'pbdeploy'? The keys are ssh, dir, pbdeploy")]
    [InlineData("\"hosts\": { \"web.1\": { \"ssh\": \"web1\", \"dir\": \"/srv/site\" } }", 2, 14, "hosts: 'web.1' is not a valid host name; use letters, digits, '_' and '-', starting with a letter or '_'")]
    [InlineData("\"hosts\": [\"web1\"]", 2, 12, "hosts: must be an object of hosts { \"NAME\": { \"ssh\": \"user@host\", \"dir\": \"/srv/site\" } }, got an array")]
    [InlineData("\"rollout\": { \"batch\": 0 }", 2, 25, "rollout.batch: must be an integer from 1 to 10000 (how many hosts deploy at once), got 0")]
    [InlineData("\"rollout\": { \"batch\": 1.5 }", 2, 25, "rollout.batch: must be an integer from 1 to 10000 (how many hosts deploy at once), got 1.5")]
    [InlineData("\"rollout\": { \"wait\": -1 }", 2, 24, "rollout.wait: must be a number of seconds from 0 to 86400 (the wait between two batches), got -1")]
    [InlineData("\"rollout\": { \"bach\": 1 }", 2, 16, "rollout: unknown key 'bach'; did you mean 'batch'? The keys are batch, wait")]
    [InlineData("\"hostz\": {}", 2, 3, "unknown key 'hostz'; did you mean 'hosts'? The top-level keys are $schema, variables, env, shell, services, hosts, rollout")]
    public void A_bad_host_or_rollout_is_one_line_with_its_place(string setting, int line, int column, string problem)
    {
        var text = "{\n  " + setting + ",\n  \"services\": { \"web\": { \"port\": 8000, \"start\": \"serve\" } }\n}\n";

        var error = Should.Throw<ManifestException>(() => Load(text));

        error.Message.ShouldBe($"{Path}:{line}:{column}: {problem}");
    }

    private static DeployManifest Load(string text) => ManifestLoader.LoadText(Path, Encoding.UTF8.GetBytes(text));
}
