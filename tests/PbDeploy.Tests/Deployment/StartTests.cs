using System.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class StartTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_detached_start_runs_the_server_in_its_own_session_with_stdin_from_dev_null_and_output_appended_to_its_log()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port);
        var log = scene.Dir.Write(".pbdeploy/logs/web.log", "a line from an earlier run\n");

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Started);
        outcome.Message.ShouldBe($"output goes to {log}");
        var pid = outcome.Pid.ShouldNotBeNull();
        Owner(port).Pid.ShouldBe(pid);
        var stat = Signals.Describe(pid).ShouldNotBeNull();
        stat.Session.ShouldBe(pid);
        stat.ProcessGroup.ShouldBe(pid);
        new FileInfo($"/proc/{pid}/fd/0").LinkTarget.ShouldBe("/dev/null");
        new FileInfo($"/proc/{pid}/fd/1").LinkTarget.ShouldBe(log);
        new FileInfo($"/proc/{pid}/fd/2").LinkTarget.ShouldBe(log);
        (await EventuallyAsync(() => File.ReadAllText(log).Contains($"pid {pid} listening", StringComparison.Ordinal))).ShouldBeTrue();
        File.ReadAllLines(log)[0].ShouldBe("a line from an earlier run");
        result.Succeeded.ShouldBeTrue();

        await Task.Delay(300); // the deploy is over: the server outlives it
        IsAlive(pid).ShouldBeTrue();
        Owner(port).Pid.ShouldBe(pid);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_detached_server_that_dies_later_is_reaped_not_left_a_zombie_of_the_deploying_process()
    {
        await using var scene = new DeployScene();
        scene.Server("web");
        var pid = Outcome(await scene.DeployAsync(), "web").Pid.ShouldNotBeNull();

        Signals.Send(Signals.Describe(pid).ShouldNotBeNull(), Signals.Kill).ShouldBeTrue();

        // Nobody asks about it again: the deploying process reaps it by itself within about a second.
        (await EventuallyAsync(() => !Directory.Exists($"/proc/{pid}"))).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_detached_start_writes_its_output_to_the_log_setting()
    {
        await using var scene = new DeployScene();
        scene.Server("web")["log"] = "logs/{name}-{port}.log";

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Started);
        var log = scene.Dir.Combine("logs", $"web-{scene.Manifest!.GetService("web").Port}.log");
        new FileInfo($"/proc/{outcome.Pid}/fd/1").LinkTarget.ShouldBe(log);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_daemonizing_start_is_waited_for_and_its_background_server_is_found_on_the_port()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new
        {
            port,
            start = $"{Serve} --port {{port}} </dev/null >{{project_dir}}/web.out 2>&1 & echo started in the background",
        });

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Started);
        var pid = outcome.Pid.ShouldNotBeNull();
        Owner(port).Pid.ShouldBe(pid);
        var finished = scene.Events.OfType<CommandFinished>().Single(e => e.Kind == CommandKinds.Start);
        finished.Result.Exit.Succeeded.ShouldBeTrue();
        finished.Result.Output.ShouldBe("started in the background\n");
        IsAlive(pid).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_daemonizing_start_whose_background_server_keeps_its_output_open_does_not_hang_the_deploy()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        // The server inherits the start command's stdout and stderr and keeps them open for as long as it runs.
        scene.Service("web", new { port, start = $"{Serve} --port {{port}} &" });

        var clock = Stopwatch.StartNew();
        var result = await scene.DeployAsync();
        clock.Stop();

        Outcome(result, "web").Action.ShouldBe(ServiceAction.Started);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        IsAlive(Outcome(result, "web").Pid!.Value).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_daemonizing_start_that_exits_non_zero_fails_with_its_exit_code_and_output()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new { port, start = "echo cannot bind; echo config error >&2; exit 4" });

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe("start command failed with exit code 4: echo cannot bind; echo config error >&2; exit 4");
        outcome.Output.ShouldBe("cannot bind\nconfig error");
        result.Succeeded.ShouldBeFalse();
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_daemonizing_start_that_exits_zero_without_a_listener_fails_at_its_start_timeout()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new { port, start = "echo nothing started", start_timeout = 0.5 });

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message!.ShouldContain("start_timeout of 0.5 s");
        outcome.Message!.ShouldContain($"port {port} to listen");
        outcome.Message!.ShouldContain("its start command (echo nothing started) exited with 0");
        outcome.Output.ShouldBe("nothing started");
    }
}
