using System.Diagnostics;
using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>One deploy session per Cake run: the generated tasks and the aliases of one script never wait for their own lock.</summary>
public sealed class SessionTests
{
    [Fact(Timeout = 300_000)]
    public async Task Aliases_between_phases_and_in_a_teardown_join_the_runs_session_and_the_teardown_stops_at_once()
    {
        using var dir = new TempDirectory();
        var web = TestService.FreePort();
        using var cleanup = new PortCleanup(web);
        _ = Manifests.Write(dir, $$"""
            "web": {{Manifests.Server(web, extra: """, "before": "echo before-web", "after": "echo after-web" """)}}
            """);
        var script = CakeRunner.Reference + """
            var deploy = PbDeployTasks("pbdeploy.json");
            var lockPath = new Deployer(ManifestLoader.Load(MakeAbsolute(File("pbdeploy.json")).FullPath)).LockPath;
            Task("Mid").IsDependentOn(deploy["Before"]).Does(() =>
            {
                // Wired between the phases, whose session holds the project's lock: the aliases join it, never wait.
                Information("mid: lock held: {0}", System.IO.File.Exists(lockPath));
                var stop = PbDeployStop("pbdeploy.json");
                Information("mid: stop {0}", stop.Outcomes.Single().Action);
                Information("mid: {0}", PbDeployStatus("pbdeploy.json").Single().State);
            });
            deploy["StartOrRestart"].IsDependentOn("Mid");
            Task("IntegrationTests").IsDependentOn(deploy["StartOrRestart"]).Does(() => Information("integration tests ran"));
            Teardown(context =>
            {
                Information("teardown: lock held: {0}", System.IO.File.Exists(lockPath));
                var stop = PbDeployStop("pbdeploy.json");
                Information("teardown: stop {0}", stop.Outcomes.Single().Action);
            });
            RunTarget("IntegrationTests");
            """;

        var clock = Stopwatch.StartNew();
        var run = await CakeRunner.RunAsync(dir, script);
        clock.Stop();

        run.ExitCode.ShouldBe(0, run.Output);
        run.Output.Contains("waiting for the deploy", StringComparison.Ordinal).ShouldBeFalse(run.Output);
        run.Output.ShouldContain("mid: lock held: True");
        run.Output.ShouldContain("mid: stop NotRunning");
        run.Output.ShouldContain("teardown: lock held: False", customMessage: "released before the script's teardown");
        run.Output.ShouldContain("mid: Stopped");
        run.IndexOf("web: before: echo before-web").ShouldBeLessThan(run.IndexOf("mid: Stopped"));
        run.IndexOf("web: started, pid").ShouldBeLessThan(run.IndexOf("integration tests ran"));
        run.IndexOf("integration tests ran").ShouldBeLessThan(run.IndexOf("teardown: stop Stopped"));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(120), "nothing waited for the lock timeout (10 min)");
        new ProcessFinder().FindPortOwner(web).State.ShouldBe(ServiceState.Stopped);
    }
}
