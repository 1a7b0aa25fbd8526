using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class PidfileServiceTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_pidfile_service_is_started_restarted_and_stopped_through_its_pidfile()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        Directory.CreateDirectory(scene.Dir.Combine("run"));
        const string server = $"{Serve} --port {{listen}} --pidfile {{project_dir}}/run/web.pid";
        scene.Service("web", new
        {
            pidfile = "run/web.pid",
            listen = port,
            start = $"exec {server}",
            restart = $"kill {{pid}}; {WaitUntilPidGone}; {server} </dev/null >>{{project_dir}}/web.out 2>&1 &",
            daemonizes = false,
        });

        var started = Outcome(await scene.DeployAsync(), "web");

        started.Action.ShouldBe(ServiceAction.Started);
        var first = started.Pid.ShouldNotBeNull();
        File.ReadAllText(scene.Dir.Combine("run", "web.pid")).Trim().ShouldBe(first.ToString());
        Owner(port).Pid.ShouldBe(first);

        var restarted = Outcome(await scene.DeployAsync(), "web");

        restarted.Action.ShouldBe(ServiceAction.Restarted);
        restarted.OldPid.ShouldBe(first);
        var second = restarted.Pid.ShouldNotBeNull();
        second.ShouldNotBe(first);
        File.ReadAllText(scene.Dir.Combine("run", "web.pid")).Trim().ShouldBe(second.ToString());
        IsAlive(first).ShouldBeFalse();
        (await EventuallyAsync(() => Owner(port).Pid == second)).ShouldBeTrue();

        var stopped = Outcome(await scene.StopAsync(), "web", Phase.Stop);

        stopped.Action.ShouldBe(ServiceAction.Stopped);
        stopped.OldPid.ShouldBe(second);
        IsAlive(second).ShouldBeFalse();
        (await EventuallyAsync(() => Owner(port).State == ServiceState.Stopped)).ShouldBeTrue();
        Outcome(await scene.StopAsync(), "web", Phase.Stop).Action.ShouldBe(ServiceAction.NotRunning);
    }
}
