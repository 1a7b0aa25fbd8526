using System.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class StopTests
{
    [Fact(Timeout = 60_000)]
    public async Task Stop_sends_SIGTERM_and_waits_until_the_port_is_free_and_the_process_gone()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--workers 2", port);
        var pid = Outcome(await scene.DeployAsync(), "web").Pid!.Value;
        var pids = Owner(port).Pids;
        pids.Count.ShouldBe(3);

        var result = await scene.StopAsync();

        var outcome = Outcome(result, "web", Phase.Stop);
        outcome.Action.ShouldBe(ServiceAction.Stopped);
        outcome.OldPid.ShouldBe(pid);
        outcome.Message.ShouldBeNull();
        outcome.Duration.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        Owner(port).State.ShouldBe(ServiceState.Stopped);
        IsAlive(pid).ShouldBeFalse();
        (await EventuallyAsync(() => pids.All(p => !IsAlive(p)))).ShouldBeTrue();
        TestService.IsFree(port).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task Stop_runs_the_stop_command_with_the_pid()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port)["stop"] = "echo stopping {pid} on {port} >> {project_dir}/stop.txt; kill -s INT {pid}";
        var pid = Outcome(await scene.DeployAsync(), "web").Pid!.Value;

        var outcome = Outcome(await scene.StopAsync(), "web", Phase.Stop);

        outcome.Action.ShouldBe(ServiceAction.Stopped);
        outcome.OldPid.ShouldBe(pid);
        scene.Lines("stop.txt").ShouldBe([$"stopping {pid} on {port}"]);
        scene.Events.OfType<CommandStarted>().ShouldContain(e => e.Kind == CommandKinds.Stop && e.Phase == Phase.Stop);
        IsAlive(pid).ShouldBeFalse();
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_stop_command_fails_the_stop_and_names_the_command()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port)["stop"] = "echo no way; exit 5";
        var pid = Outcome(await scene.DeployAsync(), "web").Pid!.Value;

        var outcome = Outcome(await scene.StopAsync(), "web", Phase.Stop);

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.OldPid.ShouldBe(pid);
        outcome.Message.ShouldBe("stop command failed with exit code 5: echo no way; exit 5");
        outcome.Output.ShouldBe("no way");
        IsAlive(pid).ShouldBeTrue();
        scene.Service("web", new { port, start = "true" }); // let the cleanup stop it by SIGTERM
        _ = scene.Write();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_server_that_ignores_SIGTERM_is_killed_after_its_stop_timeout()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--ignore-term --workers 2", port)["stop_timeout"] = 1;
        var pid = Outcome(await scene.DeployAsync(), "web").Pid!.Value;
        var pids = Owner(port).Pids;

        var clock = Stopwatch.StartNew();
        var outcome = Outcome(await scene.StopAsync(), "web", Phase.Stop);
        clock.Stop();

        outcome.Action.ShouldBe(ServiceAction.Stopped);
        outcome.OldPid.ShouldBe(pid);
        outcome.Message.ShouldBe("killed with SIGKILL: still running after its stop_timeout of 1 s");
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8));
        (await EventuallyAsync(() => pids.All(p => !IsAlive(p)))).ShouldBeTrue();
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_wrapper_shell_and_its_server_that_ignores_SIGTERM_are_both_gone_after_the_kill()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new
        {
            port,
            start = $"{Serve} --port {{port}} --ignore-term & wait",
            daemonizes = false,
            stop_timeout = 1,
        });
        var server = Outcome(await scene.DeployAsync(), "web").Pid!.Value;
        var wrapper = Signals.Describe(server)!.Session; // the detached shell leads the server's session and group
        wrapper.ShouldNotBe(server);
        Signals.Describe(server)!.ProcessGroup.ShouldBe(wrapper);
        Signals.Describe(wrapper)!.Pid.ShouldBe(wrapper);
        IsAlive(wrapper).ShouldBeTrue();

        var outcome = Outcome(await scene.StopAsync(), "web", Phase.Stop);

        outcome.Action.ShouldBe(ServiceAction.Stopped);
        outcome.OldPid.ShouldBe(server);
        outcome.Message!.ShouldContain("SIGKILL");
        (await EventuallyAsync(() => !IsAlive(server) && !IsAlive(wrapper), seconds: 5)).ShouldBeTrue();
        scene.LiveProcesses().ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task The_kill_after_the_stop_timeout_takes_the_servers_whole_process_group()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        // A helper that ignores SIGTERM and holds no socket, in the server's group: only the group kill reaches it.
        scene.Service("web", new
        {
            port,
            start = $"{{python}} -c 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)' {{project_dir}} & exec {Serve} --port {{port}} --ignore-term",
            daemonizes = false,
            stop_timeout = 1,
        });
        var server = Outcome(await scene.DeployAsync(), "web").Pid!.Value;
        var group = scene.LiveProcesses();
        group.Count.ShouldBe(2);
        group.ShouldAllBe(p => Signals.Describe(p)!.ProcessGroup == server);

        var outcome = Outcome(await scene.StopAsync(), "web", Phase.Stop);

        outcome.Action.ShouldBe(ServiceAction.Stopped);
        (await EventuallyAsync(() => scene.LiveProcesses().Count == 0, seconds: 5)).ShouldBeTrue();
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stop_stops_every_worker_whose_master_died_and_reports_no_dead_pid_as_surviving(bool workersIgnoreTerm)
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new { port, start = "true", stop_timeout = 1 });
        using var orphans = await TestService.StartAsync(
            scene.Dir, ["--port", $"{port}", "--setsid", "--workers", "3", "--orphan-workers", .. workersIgnoreTerm ? ["--ignore-term"] : Array.Empty<string>()]);
        (await EventuallyAsync(() => !IsAlive(orphans.Pid))).ShouldBeTrue("the master died");
        Owner(port).Pids.ShouldBe([.. orphans.Workers.Order()]);

        var result = await scene.StopAsync();

        var outcome = Outcome(result, "web", Phase.Stop);
        outcome.Action.ShouldBe(ServiceAction.Stopped, outcome.Message);
        orphans.Workers.ShouldContain(outcome.OldPid!.Value);
        outcome.Message.ShouldBe(workersIgnoreTerm ? "killed with SIGKILL: still running after its stop_timeout of 1 s" : null);
        orphans.Workers.ShouldAllBe(w => !IsAlive(w), "every worker was stopped and waited for");
        Owner(port).State.ShouldBe(ServiceState.Stopped);
        TestService.IsFree(port).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task Stopping_a_stopped_service_says_it_was_not_running()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port);

        var result = await scene.StopAsync();

        var outcome = Outcome(result, "web", Phase.Stop);
        outcome.Action.ShouldBe(ServiceAction.NotRunning);
        outcome.OldPid.ShouldBeNull();
        result.Succeeded.ShouldBeTrue();
        scene.LiveProcesses().ShouldBeEmpty();
    }
}
