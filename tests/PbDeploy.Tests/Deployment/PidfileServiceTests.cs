using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
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

    [Fact(Timeout = 60_000)]
    public async Task Restart_true_on_a_pidfile_service_stops_the_pid_its_pidfile_names_then_starts_a_new_one()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        Directory.CreateDirectory(scene.Dir.Combine("run"));
        scene.Service("web", new
        {
            pidfile = "run/web.pid",
            listen = port,
            start = $"exec {Serve} --port {{listen}} --pidfile {{project_dir}}/run/web.pid",
            restart = true,
            daemonizes = false,
        });
        var first = Outcome(await scene.DeployAsync(), "web").Pid.ShouldNotBeNull();

        var restarted = Outcome(await scene.DeployAsync(), "web");

        restarted.Action.ShouldBe(ServiceAction.Restarted);
        restarted.OldPid.ShouldBe(first);
        var second = restarted.Pid.ShouldNotBeNull();
        second.ShouldNotBe(first);
        IsAlive(first).ShouldBeFalse();
        File.ReadAllText(scene.Dir.Combine("run", "web.pid")).Trim().ShouldBe(second.ToString());
        (await EventuallyAsync(() => Owner(port).Pid == second)).ShouldBeTrue();
        Outcome(await scene.StopAsync(), "web", Phase.Stop).OldPid.ShouldBe(second);
        IsAlive(second).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pidfile_naming_a_process_the_start_did_not_start_fails_naming_the_rendered_pidfile_and_signals_nothing()
    {
        await using var scene = new DeployScene();
        using var stranger = await TestService.StartAsync(scene.Dir);
        Directory.CreateDirectory(scene.Dir.Combine("run"));
        scene.Service("web", new { pidfile = "{project_dir}/run/web.pid", start = $"echo {stranger.Pid} > {{project_dir}}/run/web.pid" });

        var started = Outcome(await scene.DeployAsync(), "web");

        started.Action.ShouldBe(ServiceAction.Failed);
        started.Message.ShouldStartWith($"pidfile {scene.Dir.Combine("run", "web.pid")} names pid {stranger.Pid}, which pbdeploy did not start");
        await Task.Delay(300);
        IsAlive(stranger.Pid).ShouldBeTrue();
    }

    /// <summary>A pidfile in a folder others can write (as /tmp): another user writes the pid of one of root's processes there.</summary>
    [Fact(Timeout = 60_000)]
    public async Task A_pidfile_another_user_planted_naming_roots_process_is_refused_and_stop_signals_nothing()
    {
        await using var scene = new DeployScene();
        using var victim = await TestService.StartAsync(scene.Dir);
        var shared = OtherUser.SharedFolder(scene.Dir, "shared");
        await OtherUser.RunAsync($"echo {victim.Pid} > {shared}/web.pid");
        scene.Service("web", new { pidfile = "shared/web.pid", start = "true" });

        var stopped = Outcome(await scene.StopAsync(), "web", Phase.Stop);

        stopped.Action.ShouldBe(ServiceAction.Failed);
        stopped.Message.ShouldBe(
            $"pidfile {shared}/web.pid belongs to uid {OtherUser.Uid}, another user, but names pid {victim.Pid} of uid 0; pbdeploy will neither signal it nor start a second copy. "
            + "Remove the pidfile, or have the service write it as the user it runs as, then deploy again.");
        await Task.Delay(300);
        IsAlive(victim.Pid).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pidfile_that_another_user_linked_to_roots_pidfile_is_not_believed_and_stop_signals_nothing()
    {
        await using var scene = new DeployScene();
        using var victim = await TestService.StartAsync(scene.Dir);
        var rootsPidfile = scene.Dir.Write("root-only/cron.pid", $"{victim.Pid}\n");
        var shared = OtherUser.SharedFolder(scene.Dir, "shared");
        await OtherUser.RunAsync($"ln -s {rootsPidfile} {shared}/web.pid");
        scene.Service("web", new { pidfile = "shared/web.pid", start = "true" });

        var stopped = Outcome(await scene.StopAsync(), "web", Phase.Stop);

        stopped.Action.ShouldBe(ServiceAction.NotRunning);
        PidfileProbe.Read($"{shared}/web.pid").Warning.ShouldBe(
            $"cannot read pidfile {shared}/web.pid (it is a symbolic link owned by uid {OtherUser.Uid}, another user); treating the service as stopped");
        await Task.Delay(300);
        IsAlive(victim.Pid).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pidfile_another_user_wrote_naming_that_users_own_process_is_still_believed()
    {
        using var dir = new TempDirectory();
        var shared = OtherUser.SharedFolder(dir, "shared");
        using var service = await TestService.StartAsNobodyAsync(dir);
        await OtherUser.RunAsync($"echo {service.Pid} > {shared}/web.pid");

        PidfileProbe.Read($"{shared}/web.pid").ShouldBe(new PidfileOwner(ServiceState.Running, service.Pid, null));
    }
}
