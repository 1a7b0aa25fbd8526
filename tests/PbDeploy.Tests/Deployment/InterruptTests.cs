using System.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class InterruptTests
{
    [Fact(Timeout = 60_000)]
    public async Task An_interrupted_deploy_stops_the_running_command_runs_nothing_more_and_says_what_was_done()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var dbPort = scene.Port();
        scene.Server("db", port: dbPort)["depends_on"] = "web"; // its pipeline waits for web's, which is interrupted
        scene.Server("web", port: port)["before"] = "{python} -c 'import sys, time; time.sleep(30)' {project_dir}; echo not reached";
        scene.Write();
        using var cancel = new CancellationTokenSource();
        var deployer = scene.Deployer(_ => { });

        var clock = Stopwatch.StartNew();
        var sleeper = Task.Run(async () =>
        {
            // Interrupt once the before command runs (the shell and its python), however long a loaded machine takes to start it.
            await EventuallyAsync(() => scene.LiveProcesses().Count >= 2, 20);
            var running = scene.LiveProcesses().Count;
            await cancel.CancelAsync();
            return running;
        });
        var result = await deployer.DeployAsync(new DeployOptions(), cancel.Token);

        (await sleeper).ShouldBeGreaterThanOrEqualTo(2, "the before command ran");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        result.Interrupted.ShouldBeTrue();
        result.Succeeded.ShouldBeFalse();
        Outcome(result, "web", Phase.Before).Message.ShouldBe("interrupted while it ran: the step was stopped before it finished");
        Outcome(result, "web", Phase.Before).Action.ShouldBe(ServiceAction.Failed);
        result.Outcomes.ShouldNotContain(o => o.Phase == Phase.StartOrRestart && o.Action != ServiceAction.Skipped, "nothing was started");
        Outcome(result, "db").Message.ShouldBe("not run: the run was interrupted before it began");
        Owner(port).State.ShouldBe(ServiceState.Stopped);
        Owner(dbPort).State.ShouldBe(ServiceState.Stopped);
        (await EventuallyAsync(() => scene.LiveProcesses().Count == 0, 5)).ShouldBeTrue("the before command's shell and its child are gone");
        Directory.GetFiles(scene.Dir.Combine(".pbdeploy")).ShouldBeEmpty("the before command's private output file was removed");
    }

    [Fact(Timeout = 60_000)]
    public async Task An_interrupted_start_leaves_no_half_started_service()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--delay 20", port);
        scene.Write();
        var result = await scene.DeployInterruptedWhileWaitingForAsync("web");

        result.Interrupted.ShouldBeTrue();
        Outcome(result, "web").Action.ShouldBe(ServiceAction.Failed);
        (await EventuallyAsync(() => scene.LiveProcesses().Count == 0, 5)).ShouldBeTrue("the half-started server was stopped");
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }
}
