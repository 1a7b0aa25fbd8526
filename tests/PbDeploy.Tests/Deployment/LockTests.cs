using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
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

            error.Message.ShouldStartWith($"another deploy of {scene.ManifestPath} is running (pid {Environment.ProcessId}, running for ");
            error.Message.ShouldContain(" s (started ");
            error.Message.ShouldContain($"still holds {DeployLock.PathFor(scene.ManifestPath)} after 0.3 s");
            var waiting = scene.Events.OfType<WaitingForLock>().ShouldHaveSingleItem();
            waiting.Holder.ShouldStartWith($"pid {Environment.ProcessId}, running for ");
            DeployText.Event(waiting).ShouldStartWith($"waiting for the deploy of pid {Environment.ProcessId}, running for ");
            Owner(port).State.ShouldBe(PbDeploy.Processes.ServiceState.Stopped);
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
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(lockPath);
        File.CreateSymbolicLink(lockPath, victim);
        try
        {
            var failure = await Should.ThrowAsync<DeployLockedException>(() => scene.DeployAsync());

            failure.Message.ShouldStartWith($"cannot open the deploy lock {lockPath}: ");
            File.ReadAllText(victim).ShouldBe("precious\n");
            Owner(port).State.ShouldBe(ServiceState.Stopped);
        }
        finally
        {
            File.Delete(lockPath);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Another_user_holding_a_lock_file_where_pbdeploy_used_to_keep_it_does_not_block_roots_deploy_and_cannot_create_the_real_one()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port);
        var manifest = scene.Write();
        var shared = OtherUser.SharedFolder(scene.Dir, "shared");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.Path)))[..16];
        var oldPath = Path.Combine(Path.GetTempPath(), $"pbdeploy-{hash}.lock"); // a predictable name in /tmp, before
        var lockPath = DeployLock.PathFor(manifest.Path);
        using var holder = OtherUser.Start($"flock {oldPath} sh -c 'touch {shared}/held; exec sleep 30'");
        try
        {
            await Wait.Until(() => File.Exists($"{shared}/held"), TimeSpan.FromSeconds(20), "the other user to hold its lock");
            await OtherUser.RunAsync($"! flock -n {lockPath} true && ! touch {lockPath} && ! ln -s /etc/passwd {lockPath}");

            var clock = Stopwatch.StartNew();
            var result = await scene.DeployAsync(new DeployOptions { LockTimeout = TimeSpan.FromSeconds(2) });

            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2), "the deploy never waited for the other user");
            Outcome(result, "web").Action.ShouldBe(ServiceAction.Started);
            scene.Events.OfType<WaitingForLock>().ShouldBeEmpty();
            File.Exists(lockPath).ShouldBeFalse("the lock file is removed on release");
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
            File.Delete(oldPath);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task The_lock_is_a_0600_file_of_a_0700_folder_of_this_user_names_its_holder_and_is_removed_on_release()
    {
        await using var scene = new DeployScene();
        scene.Server("web");
        var manifest = scene.Write();
        var lockPath = DeployLock.PathFor(manifest.Path);

        using (var session = await scene.Deployer().OpenAsync(new DeployOptions(), Timeout(30)))
        {
            File.GetUnixFileMode(lockPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(Path.GetDirectoryName(lockPath)!).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Path.GetDirectoryName(lockPath).ShouldNotBe(Path.GetTempPath().TrimEnd('/'));
            var holder = await ReadAsRootAsync(lockPath);
            holder.ShouldStartWith($"pid {Environment.ProcessId}, started ");
            holder.ShouldContain($"Z, uid 0 (root): {string.Join(' ', Environment.GetCommandLineArgs())}\n");

            var error = await Should.ThrowAsync<DeployLockedException>(() => scene.DeployAsync(new DeployOptions { LockTimeout = TimeSpan.FromMilliseconds(200) }));
            var who = holder[..holder.IndexOf('\n', StringComparison.Ordinal)]; // pid N, started ..., uid ...: command line
            error.Message.ShouldStartWith($"another deploy of {scene.ManifestPath} is running (pid {Environment.ProcessId}, running for ");
            error.Message.ShouldContain($" s ({who[(who.IndexOf(',', StringComparison.Ordinal) + 2)..]})) and still holds {lockPath}");
        }

        File.Exists(lockPath).ShouldBeFalse();
    }

    /// <summary>
    /// Each release removes the lock file while a waiter may have it open: the waiter must notice that it locked a file
    /// the path no longer names and start over, or two deploys would run at once.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task Many_deploys_racing_for_a_lock_that_is_removed_on_each_release_never_hold_it_together()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", "{}");
        var inside = 0;
        var overlaps = 0;
        var rounds = 0;
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                using var held = await DeployLock.AcquireAsync(manifest, TimeSpan.FromSeconds(30), null, CancellationToken.None);
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Delay(1);
                Interlocked.Decrement(ref inside);
                Interlocked.Increment(ref rounds);
            }
        })));

        rounds.ShouldBe(90);
        overlaps.ShouldBe(0);
        File.Exists(DeployLock.PathFor(manifest)).ShouldBeFalse();
    }

    private static async Task<string> ReadAsRootAsync(string path)
    {
        // cat, not File.ReadAllText: .NET takes a shared flock to read, which the holder's exclusive one refuses.
        var start = new ProcessStartInfo("cat") { UseShellExecute = false, RedirectStandardOutput = true };
        start.ArgumentList.Add(path);
        using var cat = Process.Start(start)!;
        var text = await cat.StandardOutput.ReadToEndAsync();
        await cat.WaitForExitAsync();
        return text;
    }
}
