using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>Nothing in a deploy waits without a bound.</summary>
public sealed class BoundTests
{
    /// <summary>The Python tool's README's first example: <c>runserver</c> in the foreground, with the default <c>daemonizes: true</c>.</summary>
    [Fact(Timeout = 60_000)]
    public async Task A_daemonizing_start_that_runs_its_server_in_the_foreground_is_kept_at_start_timeout_with_a_warning_and_its_output_in_the_log()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new { port, start = $"exec {Serve} --port {{port}}", start_timeout = 2 });

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Started, outcome.Message);
        var pid = outcome.Pid.ShouldNotBeNull();
        Owner(port).Pid.ShouldBe(pid);
        var log = scene.Dir.Combine(".pbdeploy/logs/web.log");
        var warning = scene.Events.OfType<DeployWarning>().ShouldHaveSingleItem();
        warning.Service.ShouldBe("web");
        warning.Message.ShouldBe(
            $"its start command has not exited after its start_timeout of 2 s, but port {port} listens (pid {pid}, started by that command): kept running, " +
            $"its output going to {log}. A start command that runs the server in the foreground is a \"daemonizes\": false service: set it, and PbDeploy " +
            "backgrounds the server in a session of its own");
        outcome.Message.ShouldBe(warning.Message);
        (await EventuallyAsync(() => File.ReadAllText(log).Contains($"pid {pid} listening", StringComparison.Ordinal))).ShouldBeTrue();
        result.Succeeded.ShouldBeTrue();
        IsAlive(pid).ShouldBeTrue("kept, not stopped");

        var stopped = Outcome(await scene.StopAsync(), "web", Phase.Stop);
        stopped.Action.ShouldBe(ServiceAction.Stopped);
        (await EventuallyAsync(() => !IsAlive(pid))).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_daemonizing_start_that_neither_exits_nor_listens_by_start_timeout_is_stopped_and_fails_leaving_no_process()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var command = $"echo starting; exec {TestService.Python} {TestService.Script} --state {scene.ProjectDir}/web.state.json --port {port} --delay 600";
        scene.Service("web", new { port, start = command.Replace(scene.ProjectDir, "{project_dir}", StringComparison.Ordinal), start_timeout = 2 });

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            $"its start command ({command}) had not exited after its start_timeout of 2 s, and port {port} does not listen: stopped it (SIGTERM, then " +
            "SIGKILL to its process group). A \"daemonizes\": true start command must exit once the server runs in the background; for one that runs " +
            $"the server in the foreground, set \"daemonizes\": false. Log: {scene.Dir.Combine(".pbdeploy/logs/web.log")}");
        outcome.Output.ShouldBe("starting");
        scene.LiveProcesses().ShouldBeEmpty();
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_before_command_that_runs_past_its_command_timeout_is_stopped_with_its_children_and_fails_the_service()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", port: port);
        web["before"] = "echo preparing; sleep 600 & echo $! > {project_dir}/sleep.pid; wait";
        web["command_timeout"] = 1;

        var result = await scene.DeployAsync();

        var before = Outcome(result, "web", Phase.Before);
        before.Action.ShouldBe(ServiceAction.Failed);
        before.Message.ShouldBe(
            "before command did not finish within its command_timeout of 1 s, so it was stopped (SIGTERM, then SIGKILL to its process group): " +
            "echo preparing; sleep 600 & echo $! > {project_dir}/sleep.pid; wait. Raise \"command_timeout\" in the manifest if it needs longer"
                .Replace("{project_dir}", scene.ProjectDir, StringComparison.Ordinal));
        before.Output.ShouldBe("preparing");
        result.Outcomes.ShouldNotContain(o => o.Service == "web" && o.Phase != Phase.Before, "a failed before ends its pipeline: nothing started");
        var sleeper = int.Parse(scene.Lines("sleep.pid").ShouldHaveSingleItem(), System.Globalization.CultureInfo.InvariantCulture);
        (await EventuallyAsync(() => !IsAlive(sleeper))).ShouldBeTrue("the command's child went with its group");
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }
}
