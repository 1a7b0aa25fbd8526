using System.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Status;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class ReadinessTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_start_waits_until_the_port_listens()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--delay 0.7", port)["start_timeout"] = 20;

        var clock = Stopwatch.StartNew();
        var result = await scene.DeployAsync();

        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.6));
        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Started);
        Owner(port).Pid.ShouldBe(outcome.Pid); // listening as soon as the deploy returns
        scene.Events.OfType<Waiting>().ShouldContain(e => e.Service == "web" && e.What == $"port {port} to listen" && e.Timeout == TimeSpan.FromSeconds(20));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_start_that_is_not_ready_within_its_start_timeout_fails_and_leaves_no_process_running()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--delay 30", port)["start_timeout"] = 1;

        var clock = Stopwatch.StartNew();
        var result = await scene.DeployAsync();
        clock.Stop();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message!.ShouldStartWith($"it was not ready within its start_timeout of 1 s (waiting for port {port} to listen); log: ");
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        scene.LiveProcesses().ShouldBeEmpty(); // the half-started server was stopped
        await Task.Delay(200);
        TestService.IsFree(port).ShouldBeTrue();
        Outcome(result, "web", Phase.After).Action.ShouldBe(ServiceAction.Skipped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_server_that_dies_before_it_listens_fails_at_once_with_its_exit_code_and_log_tail()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--exit 3", port)["start_timeout"] = 30;

        var clock = Stopwatch.StartNew();
        var result = await scene.DeployAsync();
        clock.Stop();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            $"it exited (exit code 3) before it was ready (waiting for port {port} to listen); log: {scene.Dir.Combine(".pbdeploy", "logs", "web.log")}");
        outcome.Output!.ShouldContain("testservice: exiting with 3");
        outcome.Output!.ShouldContain("testservice: error output");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10)); // well before the 30 s start_timeout
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }
}
