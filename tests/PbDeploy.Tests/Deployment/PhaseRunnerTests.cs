using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class PhaseRunnerTests
{
    [Fact(Timeout = 60_000)]
    public async Task Phases_run_one_call_at_a_time_share_one_session_so_after_runs_for_a_service_just_started()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port)["after"] = "echo after >> {project_dir}/after.txt";
        using var runner = new PhaseRunner(scene.Deployer());
        var options = new DeployOptions();

        var before = await runner.RunAsync(Phase.Before, options, Timeout(60));
        var start = await runner.RunAsync(Phase.StartOrRestart, options, Timeout(60));
        var after = await runner.RunAsync(Phase.After, options, Timeout(60));

        before.Single().Action.ShouldBe(ServiceAction.Nothing);
        start.Single().Action.ShouldBe(ServiceAction.Started);
        after.Single().Action.ShouldBe(ServiceAction.CommandsRan, "the session remembers it was started, not left running");
        File.ReadAllText(scene.Dir.Combine("after.txt")).ShouldBe("after\n");

        var stop = await runner.RunAsync(Phase.Stop, options, Timeout(60));

        stop.Single().Action.ShouldBe(ServiceAction.Stopped);
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_phase_for_other_services_closes_the_open_session_instead_of_waiting_for_its_lock()
    {
        await using var scene = new DeployScene();
        scene.Server("a");
        scene.Server("b");
        using var runner = new PhaseRunner(scene.Deployer());

        var first = await runner.RunAsync(Phase.StartOrRestart, new DeployOptions { Services = ["a"] }, Timeout(60));
        var second = await runner.RunAsync(Phase.StartOrRestart, new DeployOptions { Services = ["b"], LockTimeout = TimeSpan.FromSeconds(1) }, Timeout(60));

        first.Single().Action.ShouldBe(ServiceAction.Started);
        second.Single().Action.ShouldBe(ServiceAction.Started);
        scene.Events.OfType<WaitingForLock>().ShouldBeEmpty();
    }
}
