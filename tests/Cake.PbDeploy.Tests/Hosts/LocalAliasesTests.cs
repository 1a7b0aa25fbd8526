using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests.Hosts;

/// <summary>
/// <c>PbDeploy</c> and <c>PbDeployStop</c> act on this machine: with a manifest that has <c>hosts</c> they refuse at
/// once (a build script would otherwise start production services on the build machine), unless <c>Local</c>. No sshd
/// is needed: nothing is run over ssh.
/// </summary>
public sealed class LocalAliasesTests
{
    [Fact(Timeout = 300_000)]
    public async Task PbDeploy_and_PbDeployStop_refuse_a_manifest_with_hosts_in_one_line_starting_nothing_and_Local_true_deploys_here()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = Manifests.Write(dir, $$"""
            "web": {{Manifests.Server(port, extra: """, "before": "echo ran >> before.txt" """)}}
            """);
        // The hosts point nowhere: were ssh run, the run would fail otherwise.
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace(
            "\"services\":",
            $$"""
            "hosts": { "web1": { "ssh": "nobody@web1.invalid", "dir": "/srv/site" }, "web2": { "ssh": "nobody@web2.invalid", "dir": "/srv/site" } },
              "services":
            """,
            StringComparison.Ordinal));
        var script = AddinPackage.Directive + """
            string Here() => (PortOwner(PbDeployStatus("pbdeploy.json").Single().Port.Value)?.ToString() ?? "none") + ", before " + (FileExists("before.txt") ? "ran" : "not run");

            Task("Refused").Does(() =>
            {
                try
                {
                    PbDeployStop("pbdeploy.json");
                }
                catch (CakeException e)
                {
                    Information("stop refused: {0}", e.Message);
                }

                Information("before deploy: {0}", Here());
                try
                {
                    PbDeploy("pbdeploy.json", new PbDeploySettings().WithServices("web"));
                }
                catch (CakeException e)
                {
                    Information("deploy refused: {0}", e.Message);
                }

                Information("after refusal: {0}", Here());
            });
            Task("Local").Does(() =>
            {
                var result = PbDeploy("pbdeploy.json", new PbDeploySettings().WithLocal());
                Information("local deploy: web {0}, port owner {1}", result.Outcomes.Last().Action, Here());
                PbDeployStop("pbdeploy.json", s => s.Local = true);
                Information("local stop: {0}", Here());
            });
            Task("Plain").Does(() => PbDeploy("pbdeploy.json"));
            RunTarget(Argument("target", "Refused"));
            """;

        var refused = await CakeRunner.RunAsync(dir, script, AddinPackage.SourceArgument, "--target=Refused");
        var plain = await CakeRunner.RunAsync(dir, script, AddinPackage.SourceArgument, "--target=Plain");
        var stillFree = TestService.IsFree(port);
        var beforeRan = File.Exists(dir.Combine("before.txt"));
        var local = await CakeRunner.RunAsync(dir, script, AddinPackage.SourceArgument, "--target=Local");

        refused.ExitCode.ShouldBe(0, refused.Output);
        refused.Output.ShouldContain(
            $"stop refused: PbDeploy: {manifest} has hosts (web1, web2): PbDeployStop acts on this machine; call PbDeployHostsStop(\"pbdeploy.json\") to stop on the hosts, or set Local = true (PbDeploySettings) to stop here.\n");
        refused.Output.ShouldContain(
            $"deploy refused: PbDeploy: {manifest} has hosts (web1, web2): PbDeploy acts on this machine; call PbDeployHosts(\"pbdeploy.json\") to deploy on the hosts, or set Local = true (PbDeploySettings) to deploy here.\n");
        refused.Output.ShouldContain("before deploy: none, before not run");
        refused.Output.ShouldContain("after refusal: none, before not run");
        refused.Output.ShouldNotContain("ssh");

        plain.ExitCode.ShouldNotBe(0, plain.Output);
        plain.Output.ShouldContain("PbDeploy acts on this machine; call PbDeployHosts(\"pbdeploy.json\")");
        plain.Output.ShouldNotContain("web: started");
        stillFree.ShouldBeTrue("nothing was started");
        beforeRan.ShouldBeFalse("no before command ran");

        local.ExitCode.ShouldBe(0, local.Output);
        local.Output.ShouldMatch(@"local deploy: web Started, port owner \d+, before ran");
        local.Output.ShouldContain("local stop: none, before ran");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }
}
