using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>The package as <c>dotnet pack</c> makes it, loaded by <c>#addin</c> from a folder feed.</summary>
public sealed class PackageTests
{
    [Fact(Timeout = 300_000)]
    public async Task The_packed_addin_loads_from_a_folder_feed_and_its_aliases_deploy_render_report_and_stop()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var package = Directory.GetFiles(CakeRunner.Feed, "Cake.PbDeploy.*.nupkg").ShouldHaveSingleItem();
        var version = Path.GetFileNameWithoutExtension(package)["Cake.PbDeploy.".Length..];
        dir.Write("web.conf.template", "listen {port}\n");
        _ = Manifests.Write(dir, $$"""
            "web": {{Manifests.Server(port, extra: """, "templates": ["web.conf.template"] """)}}
            """);
        var script = $"#addin nuget:?package=Cake.PbDeploy&version={version}&loaddependencies=false\n" + """
            var deploy = PbDeployTasks("pbdeploy.json");
            Task("Check").IsDependentOn(deploy["Deploy"]).Does(() =>
            {
                var status = PbDeployStatus("pbdeploy.json").Single();
                Information("status: {0} {1} pid {2}", status.Name, status.State, status.Pid);
                Information("port owner: {0}", PortOwner(status.Port!.Value));
                var render = PbDeployRender("pbdeploy.json", "web").Single();
                Information("render: {0} file(s), changed: {1}", render.Files.Count, render.Files[0].Changed);
                var stop = PbDeployStop("pbdeploy.json");
                Information("stop: {0}", stop.Outcomes.Single().Action);
                var again = PbDeploy("pbdeploy.json", new PbDeploySettings { Services = { "web" }, Quick = true });
                Information("again: {0}", again.Outcomes.Single().Action);
                PbDeployStop("pbdeploy.json");
                Information("after stop: {0}", PortOwner(status.Port!.Value)?.ToString() ?? "none");
            });
            RunTarget("Check");
            """;

        var run = await CakeRunner.RunAsync(dir, script, $"--nuget_source={CakeRunner.Feed}");
        var addinFiles = Directory.GetFiles(dir.Path, "*.dll", SearchOption.AllDirectories).Select(Path.GetFileName).Order().ToList();

        run.ExitCode.ShouldBe(0, run.Output);
        addinFiles.ShouldBe(["Cake.PbDeploy.dll", "PbDeploy.Core.dll"]);
        var pid = new System.Text.RegularExpressions.Regex(@"web: started, pid (\d+)").Match(run.Output).Groups[1].Value;
        pid.ShouldNotBeEmpty(run.Output);
        run.Output.ShouldContain($"status: web Running pid {pid}");
        run.Output.ShouldContain($"port owner: {pid}");
        run.Output.ShouldContain("render: 1 file(s), changed: False");
        run.Output.ShouldContain("stop: Stopped");
        run.Output.ShouldContain("again: Started");
        run.Output.ShouldContain("after stop: none");
        File.ReadAllText(dir.Combine("web.conf")).ShouldBe($"listen {port}\n");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }
}
