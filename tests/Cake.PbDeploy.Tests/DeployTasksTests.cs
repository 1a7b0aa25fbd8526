using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>The generated tasks, run by the real <c>dotnet cake</c> on a script that loads the addin with <c>#r</c>.</summary>
public sealed class DeployTasksTests
{
    private static ServiceState State(int port) => new ProcessFinder().FindPortOwner(port).State;

    [Fact(Timeout = 300_000)]
    public async Task Deploy_runs_a_user_task_wired_before_Before_first_then_quick_skips_Before_and_After_then_Stop_stops()
    {
        using var dir = new TempDirectory();
        var web = TestService.FreePort();
        var api = TestService.FreePort();
        using var cleanup = new PortCleanup(web, api);
        var manifest = Manifests.Write(dir, $$"""
            "web": {{Manifests.Server(web, extra: """, "depends_on": ["api"], "before": "echo before-web", "after": "echo after-web" """)}},
            "api": {{Manifests.Server(api, extra: """, "after": "echo after-api" """)}}
            """);
        var script = CakeRunner.Reference + """
            Task("Publish").Does(() => Information("user task: Publish"));
            var deploy = PbDeployTasks("pbdeploy.json");
            deploy["Before"].IsDependentOn("Publish");
            RunTarget(Argument("target", "Deploy"));
            """;

        var deployRun = await CakeRunner.RunAsync(dir, script, "--target=Deploy");
        var webAfterDeploy = new ProcessFinder().FindPortOwner(web);
        var apiState = State(api);
        var quickRun = await CakeRunner.RunAsync(dir, script, "--target=Deploy", "--quick");
        var stopRun = await CakeRunner.RunAsync(dir, script, "--target=Stop");

        deployRun.ExitCode.ShouldBe(0, deployRun.Output);
        deployRun.Output.ShouldContain($"PbDeploy: manifest: {manifest}");
        webAfterDeploy.State.ShouldBe(ServiceState.Running);
        apiState.ShouldBe(ServiceState.Running);
        deployRun.IndexOf("user task: Publish").ShouldBeLessThan(deployRun.IndexOf("web: before: echo before-web"));
        deployRun.IndexOf("web: before: echo before-web").ShouldBeLessThan(deployRun.IndexOf("api: started, pid"));
        deployRun.IndexOf("api: started, pid").ShouldBeLessThan(deployRun.IndexOf($"web: started, pid {webAfterDeploy.Pid}"));
        // After runs the after commands of services that StartOrRestart just started: the phases share one session.
        deployRun.IndexOf($"web: started, pid {webAfterDeploy.Pid}").ShouldBeLessThan(deployRun.IndexOf("web: after: echo after-web"));
        deployRun.IndexOf("api: after: echo after-api").ShouldBeGreaterThan(0);

        quickRun.ExitCode.ShouldBe(0, quickRun.Output);
        quickRun.Output.ShouldContain("user task: Publish");
        quickRun.Output.ShouldContain($"web: left running, pid {webAfterDeploy.Pid}");
        quickRun.Output.ShouldNotContain("before-web");
        quickRun.Output.ShouldNotContain("after-web");
        quickRun.Output.ShouldMatch(@"Before\s+-\s+Skipped\s+--quick");
        quickRun.Output.ShouldMatch(@"After\s+-\s+Skipped\s+--quick");

        stopRun.ExitCode.ShouldBe(0, stopRun.Output);
        stopRun.IndexOf($"web: stopped, pid {webAfterDeploy.Pid}").ShouldBeLessThan(stopRun.IndexOf("api: stopped, pid"));
        State(web).ShouldBe(ServiceState.Stopped);
        State(api).ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 300_000)]
    public async Task Deploy_NAME_acts_on_one_service_and_services_limits_the_umbrella_tasks()
    {
        using var dir = new TempDirectory();
        var a = TestService.FreePort();
        var b = TestService.FreePort();
        var c = TestService.FreePort();
        using var cleanup = new PortCleanup(a, b, c);
        _ = Manifests.Write(dir, $"\"a\": {Manifests.Server(a)}, \"b\": {Manifests.Server(b)}, \"c\": {Manifests.Server(c)}");
        var script = CakeRunner.Reference + """
            PbDeployTasks("pbdeploy.json");
            RunTarget(Argument("target", "Deploy"));
            """;

        var one = await CakeRunner.RunAsync(dir, script, "--target=Deploy:a");
        var afterOne = (State(a), State(b), State(c));
        var some = await CakeRunner.RunAsync(dir, script, "--target=Deploy", "--services=b,c");
        var afterSome = (State(a), State(b), State(c));
        var stopOne = await CakeRunner.RunAsync(dir, script, "--target=Stop", "--services=b");
        var afterStopOne = (State(a), State(b), State(c));
        var stopAll = await CakeRunner.RunAsync(dir, script, "--target=Stop");

        one.ExitCode.ShouldBe(0, one.Output);
        afterOne.ShouldBe((ServiceState.Running, ServiceState.Stopped, ServiceState.Stopped));
        one.Output.ShouldContain("Before:a");
        one.Output.ShouldContain("StartOrRestart:a");
        one.Output.ShouldContain("After:a");
        one.Output.ShouldContain("PbDeploy start/restart: a\n");

        some.ExitCode.ShouldBe(0, some.Output);
        afterSome.ShouldBe((ServiceState.Running, ServiceState.Running, ServiceState.Running));
        some.Output.ShouldContain("PbDeploy start/restart: b, c\n");
        some.Output.ShouldNotContain("a: left running");

        stopOne.ExitCode.ShouldBe(0, stopOne.Output);
        afterStopOne.ShouldBe((ServiceState.Running, ServiceState.Stopped, ServiceState.Running));

        stopAll.ExitCode.ShouldBe(0, stopAll.Output);
        (State(a), State(b), State(c)).ShouldBe((ServiceState.Stopped, ServiceState.Stopped, ServiceState.Stopped));
    }
}
