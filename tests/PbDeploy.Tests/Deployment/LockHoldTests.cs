using System.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>A hold on the project's lock (a build engine's run): the sessions of this process join it; another process waits.</summary>
public sealed class LockHoldTests
{
    [Fact(Timeout = 60_000)]
    public async Task Deploys_and_stops_under_a_hold_join_it_without_waiting_and_the_last_hold_releases_the_lock()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port);
        var manifest = scene.Write();
        var lockPath = scene.Deployer().LockPath;
        lockPath.ShouldBe(DeployLock.PathFor(manifest.Path));
        var quick = new DeployOptions { LockTimeout = TimeSpan.FromMilliseconds(300) };

        var hold = await scene.Deployer().HoldLockAsync(TimeSpan.FromSeconds(5), Timeout(30));
        var nested = await scene.Deployer().HoldLockAsync(TimeSpan.FromMilliseconds(300), Timeout(30));
        var runner = new PhaseRunner(scene.Deployer());
        var before = await runner.RunAsync(Phase.Before, quick, Timeout(30)); // a phase session stays open ...
        var deployed = await scene.DeployAsync(quick);                        // ... and a deploy joins the hold too
        var heldAfterDeploy = File.Exists(lockPath);
        var otherProcess = await FlockAsync(lockPath);
        var stopped = await scene.StopAsync(quick);
        runner.Close();
        hold.Dispose();
        var heldByNested = File.Exists(lockPath);
        nested.Dispose();

        before.ShouldAllBe(o => !o.IsFailure);
        Outcome(deployed, "web").Action.ShouldBe(ServiceAction.Started);
        Outcome(stopped, "web", Phase.Stop).Action.ShouldBe(ServiceAction.Stopped);
        scene.Events.OfType<WaitingForLock>().ShouldBeEmpty();
        heldAfterDeploy.ShouldBeTrue("a session that joined a hold releases nothing");
        otherProcess.ShouldBe(1, "another process cannot take the lock while the hold has it");
        heldByNested.ShouldBeTrue("the nested hold still has it");
        File.Exists(lockPath).ShouldBeFalse("the last hold released it");
        (await FlockAsync(lockPath)).ShouldBe(0);
        File.Delete(lockPath); // flock created it
    }

    /// <summary>flock -n on the lock file from another process: 0 when it got the lock, 1 when it is held.</summary>
    private static async Task<int> FlockAsync(string path)
    {
        var start = new ProcessStartInfo("flock") { UseShellExecute = false };
        foreach (var arg in (string[])["-n", "-E", "1", path, "true"])
        {
            start.ArgumentList.Add(arg);
        }

        using var flock = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await flock.WaitForExitAsync(timeout.Token);
        return flock.ExitCode;
    }
}
