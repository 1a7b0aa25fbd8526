using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>The generated tasks, run by the real <c>dotnet cake</c> on a script that loads the addin with <c>#r</c>.</summary>
public sealed class DeployTasksTests
{
    private static ServiceState State(int port) => new ProcessFinder().FindPortOwner(port).State;

    [Fact(Timeout = 300_000)]
    public async Task Deploy_runs_a_user_task_wired_before_Before_first_then_pipelines_then_quick_skips_before_and_after_then_Stop_stops()
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
        deployRun.IndexOf("user task: Publish").ShouldBeLessThan(deployRun.IndexOf("api: started, pid"));
        // As pbdeploy does: api's whole pipeline (start, after) before web's begins (before, start, after).
        deployRun.IndexOf("api: started, pid").ShouldBeLessThan(deployRun.IndexOf("api: after: echo after-api"));
        deployRun.IndexOf("api: after: echo after-api").ShouldBeLessThan(deployRun.IndexOf("web: before: echo before-web"));
        deployRun.IndexOf("web: before: echo before-web").ShouldBeLessThan(deployRun.IndexOf($"web: started, pid {webAfterDeploy.Pid}"));
        deployRun.IndexOf($"web: started, pid {webAfterDeploy.Pid}").ShouldBeLessThan(deployRun.IndexOf("web: after: echo after-web"));
        deployRun.Output.ShouldContain("PbDeploy deploy: web, api\n");
        deployRun.Output.ShouldMatch(@"StartOrRestart\s+-\s+Skipped\s+Deploy runs it");

        quickRun.ExitCode.ShouldBe(0, quickRun.Output);
        quickRun.Output.ShouldContain("user task: Publish");
        quickRun.Output.ShouldContain($"web: left running, pid {webAfterDeploy.Pid}");
        quickRun.Output.ShouldNotContain("before-web");
        quickRun.Output.ShouldNotContain("after-web");
        quickRun.Output.ShouldContain("PbDeploy deploy (quick): web, api\n");

        stopRun.ExitCode.ShouldBe(0, stopRun.Output);
        stopRun.IndexOf($"web: stopped, pid {webAfterDeploy.Pid}").ShouldBeLessThan(stopRun.IndexOf("api: stopped, pid"));
        State(web).ShouldBe(ServiceState.Stopped);
        State(api).ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 300_000)]
    public async Task Deploy_NAME_takes_what_it_depends_on_along_unless_no_deps_services_limits_the_umbrella_tasks_and_Stop_stops_only_those_named()
    {
        using var dir = new TempDirectory();
        var a = TestService.FreePort();
        var b = TestService.FreePort();
        var c = TestService.FreePort();
        using var cleanup = new PortCleanup(a, b, c);
        _ = Manifests.Write(dir, $"\"a\": {Manifests.Server(a)}, \"b\": {Manifests.Server(b)}, \"c\": {Manifests.Server(c, extra: ", \"depends_on\": [\"b\"]")}");
        var script = CakeRunner.Reference + """
            PbDeployTasks("pbdeploy.json");
            RunTarget(Argument("target", "Deploy"));
            """;

        var alone = await CakeRunner.RunAsync(dir, script, "--target=Deploy:c", "--no-deps");
        var afterAlone = (State(a), State(b), State(c));
        var withDependencies = await CakeRunner.RunAsync(dir, script, "--target=Deploy:c");
        var afterWith = (State(a), State(b), State(c));
        var some = await CakeRunner.RunAsync(dir, script, "--target=Deploy", "--services=a");
        var afterSome = (State(a), State(b), State(c));
        var stopOne = await CakeRunner.RunAsync(dir, script, "--target=Stop", "--services=c");
        var afterStopOne = (State(a), State(b), State(c));
        var stopAll = await CakeRunner.RunAsync(dir, script, "--target=Stop");

        alone.ExitCode.ShouldBe(0, alone.Output);
        afterAlone.ShouldBe((ServiceState.Stopped, ServiceState.Stopped, ServiceState.Running));
        alone.Output.ShouldContain("Before:c");
        alone.Output.ShouldContain("StartOrRestart:c");
        alone.Output.ShouldContain("After:c");
        alone.Output.ShouldContain("PbDeploy deploy: c\n");

        withDependencies.ExitCode.ShouldBe(0, withDependencies.Output);
        afterWith.ShouldBe((ServiceState.Stopped, ServiceState.Running, ServiceState.Running), "b, which c depends on, came along");
        withDependencies.Output.ShouldContain("PbDeploy deploy: b, c\n");

        some.ExitCode.ShouldBe(0, some.Output);
        afterSome.ShouldBe((ServiceState.Running, ServiceState.Running, ServiceState.Running));
        some.Output.ShouldContain("PbDeploy deploy: a\n");
        some.Output.ShouldNotContain("c: left running");

        stopOne.ExitCode.ShouldBe(0, stopOne.Output);
        afterStopOne.ShouldBe((ServiceState.Running, ServiceState.Running, ServiceState.Stopped), "stopping c leaves b, which it depends on, running");

        stopAll.ExitCode.ShouldBe(0, stopAll.Output);
        (State(a), State(b), State(c)).ShouldBe((ServiceState.Stopped, ServiceState.Stopped, ServiceState.Stopped));
    }
}
