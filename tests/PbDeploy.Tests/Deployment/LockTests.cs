using PbDeploy.Deployment;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class LockTests
{
    [Fact(Timeout = 60_000)]
    public async Task Two_deploys_at_once_run_one_after_the_other_and_start_one_server()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", "--delay 0.5", port);
        web["before"] = "echo before >> {project_dir}/before.txt";
        _ = scene.Write();
        var sequence = new List<(string Deploy, DeployEvent Event)>();
        void Record(string deploy, DeployEvent e)
        {
            lock (sequence)
            {
                sequence.Add((deploy, e));
            }
        }

        var results = await Task.WhenAll(
            scene.Deployer(e => Record("A", e)).DeployAsync(new DeployOptions(), Timeout(60)),
            scene.Deployer(e => Record("B", e)).DeployAsync(new DeployOptions(), Timeout(60)));

        var waiting = sequence.Where(s => s.Event is WaitingForLock).ShouldHaveSingleItem();
        ((WaitingForLock)waiting.Event).Holder.ShouldContain($"pid {Environment.ProcessId}");
        var order = sequence.Where(s => s.Event is not WaitingForLock).Select(s => s.Deploy).ToList();
        order.Zip(order.Skip(1)).Count(pair => pair.First != pair.Second).ShouldBe(1, string.Join(", ", order)); // never interleaved
        order[0].ShouldNotBe(waiting.Deploy);

        var first = results[waiting.Deploy == "A" ? 1 : 0];
        var second = results[waiting.Deploy == "A" ? 0 : 1];
        Outcome(first, "web").Action.ShouldBe(ServiceAction.Started);
        Outcome(second, "web").Action.ShouldBe(ServiceAction.LeftRunning);
        Outcome(second, "web").Pid.ShouldBe(Outcome(first, "web").Pid);
        Owner(port).Pids.ShouldBe([Outcome(first, "web").Pid!.Value]);
        scene.LiveProcesses().ShouldHaveSingleItem();
        scene.Lines("before.txt").ShouldBe(["before"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_deploy_that_cannot_get_the_lock_in_time_names_the_holder()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port);
        _ = scene.Write();
        using (var session = await scene.Deployer().OpenAsync(new DeployOptions(), Timeout(30)))
        {
            var error = await Should.ThrowAsync<PbDeployException>(
                () => scene.DeployAsync(new DeployOptions { LockTimeout = TimeSpan.FromMilliseconds(300) }));

            error.Message.ShouldStartWith($"another deploy of {scene.ManifestPath} is running (pid {Environment.ProcessId}, started ");
            error.Message.ShouldContain($"still holds {DeployLock.PathFor(scene.ManifestPath)} after 0.3 s");
            scene.Events.OfType<WaitingForLock>().ShouldHaveSingleItem().Holder.ShouldStartWith($"pid {Environment.ProcessId}, started ");
            Owner(port).State.ShouldBe(PbDeploy.Status.ServiceState.Stopped);
        }

        Outcome(await scene.DeployAsync(), "web").Action.ShouldBe(ServiceAction.Started); // released with the session
    }

    [Fact(Timeout = 60_000)]
    public async Task A_link_planted_at_the_lock_path_is_never_followed_and_nothing_is_deployed()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port);
        var manifest = scene.Write();
        var victim = scene.Dir.Write("victim.txt", "precious\n");
        var lockPath = DeployLock.PathFor(manifest.Path);
        File.Delete(lockPath);
        File.CreateSymbolicLink(lockPath, victim);
        try
        {
            var failure = await Should.ThrowAsync<DeployLockedException>(() => scene.DeployAsync());

            failure.Message.ShouldStartWith($"cannot open the deploy lock {lockPath}: ");
            File.ReadAllText(victim).ShouldBe("precious\n");
            Owner(port).State.ShouldBe(Status.ServiceState.Stopped);
        }
        finally
        {
            File.Delete(lockPath);
        }
    }
}
