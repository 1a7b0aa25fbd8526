using System.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Processes;
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
        result.Outcomes.ShouldHaveSingleItem("it has no before or after commands: no rows for them");
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

    [Fact(Timeout = 60_000)]
    public async Task A_process_of_another_project_that_binds_the_port_while_the_start_command_sleeps_is_not_taken_for_the_service_and_is_left_alone()
    {
        await using var scene = new DeployScene();
        using var elsewhere = new TempDirectory();
        var port = scene.Port();
        scene.Service("web", new { port, start = $"sleep 5; exec {Serve} --port {{port}}", daemonizes = false, start_timeout = 20 });
        var started = new TaskCompletionSource();
        var deploy = scene.Deployer(e =>
        {
            if (e is CommandStarted { Kind: CommandKinds.Start })
            {
                started.TrySetResult();
            }
        }).DeployAsync(new DeployOptions(), Timeout(60));
        await started.Task; // pbdeploy found the port free and started its command, which binds in 5 s

        using var stranger = await TestService.StartAsync(elsewhere, "--port", $"{port}");
        var outcome = Outcome(await deploy, "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Pid.ShouldBeNull();
        outcome.Message!.ShouldStartWith(
            $"port {port} is held by pid {stranger.Pid}, which pbdeploy did not start (it is neither the start command's process nor one of its descendants): " +
            "another project's process; pbdeploy takes it neither for 'web' nor signals it. Free the port, or give the service another port; log: ");
        Owner(port).Pids.ShouldBe([stranger.Pid], "the stranger still holds the port, untouched");
        IsAlive(stranger.Pid).ShouldBeTrue();
        (await EventuallyAsync(() => scene.LiveProcesses().Count == 0)).ShouldBeTrue("the start command that was still sleeping was stopped");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_process_started_before_a_daemonizing_start_that_binds_the_port_during_its_wait_is_not_taken_for_the_service()
    {
        await using var scene = new DeployScene();
        using var elsewhere = new TempDirectory();
        var port = scene.Port();
        scene.Service("web", new { port, start = "true", start_timeout = 20 }); // exits 0, binds nothing
        var state = elsewhere.Combine("stranger.json");
        using var stranger = Process.Start(new ProcessStartInfo(TestService.Python)
        {
            ArgumentList = { TestService.Script, "--port", $"{port}", "--delay", "3", "--state", state },
            UseShellExecute = false,
        })!;
        try
        {
            var result = await scene.DeployAsync(); // finds the port free: the stranger binds it 3 s after it started

            var outcome = Outcome(result, "web");
            outcome.Action.ShouldBe(ServiceAction.Failed);
            outcome.Message.ShouldBe(
                $"port {port} is held by pid {stranger.Id}, which pbdeploy did not start (it started before the command did and descends from nothing it started): " +
                "another project's process; pbdeploy takes it neither for 'web' nor signals it. Free the port, or give the service another port; its start command (true) exited with 0");
            File.Exists(state).ShouldBeTrue();
            Owner(port).Pids.ShouldBe([stranger.Id], "the stranger still holds the port, untouched");
            stranger.HasExited.ShouldBeFalse();
        }
        finally
        {
            stranger.Kill();
            await stranger.WaitForExitAsync();
        }
    }
}
