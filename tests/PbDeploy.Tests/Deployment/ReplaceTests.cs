using System.Net.Sockets;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>Redeploys that replace: <c>"restart": true</c>, and restart commands that stop the service.</summary>
public sealed class ReplaceTests
{
    [Fact(Timeout = 90_000)]
    public async Task Restart_true_replaces_a_detached_service_with_a_new_process_that_serves_the_new_build()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", "--build {build}", port);
        web["restart"] = true;
        scene.Variables["build"] = "1";
        var first = Outcome(await scene.DeployAsync(), "web").Pid!.Value;
        Served(port).ShouldBe($"pid {first} build 1");

        scene.Variables["build"] = "2";
        _ = scene.Write();
        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Restarted, outcome.Message);
        outcome.OldPid.ShouldBe(first);
        var second = outcome.Pid.ShouldNotBeNull();
        second.ShouldNotBe(first);
        IsAlive(first).ShouldBeFalse();
        Owner(port).Pid.ShouldBe(second);
        Served(port).ShouldBe($"pid {second} build 2");
        result.Succeeded.ShouldBeTrue();
        scene.LiveProcesses().ShouldBe([second]);
    }

    [Fact(Timeout = 90_000)]
    public async Task Restart_true_stops_a_daemonizing_service_with_its_stop_command_and_starts_it_again()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new
        {
            port,
            start = $"{Serve} --port {{port}} --setsid &",
            stop = "echo stopping {pid} >> {project_dir}/stops.txt; kill {pid}",
            restart = true,
        });
        var first = Outcome(await scene.DeployAsync(), "web").Pid!.Value;

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Restarted, outcome.Message);
        outcome.OldPid.ShouldBe(first);
        var second = outcome.Pid.ShouldNotBeNull();
        second.ShouldNotBe(first);
        scene.Lines("stops.txt").ShouldBe([$"stopping {first}"]);
        IsAlive(first).ShouldBeFalse();
        Owner(port).Pid.ShouldBe(second);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_kill_pid_restart_of_a_detached_service_starts_it_again_without_waiting_for_the_start_timeout()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", port: port);
        web["restart"] = "kill {pid}";
        web["start_timeout"] = 60; // the old code waited all of it, then failed: the test host's 90 s timeout catches that
        var first = Outcome(await scene.DeployAsync(), "web").Pid!.Value;

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Restarted, outcome.Message);
        outcome.OldPid.ShouldBe(first);
        var second = outcome.Pid.ShouldNotBeNull();
        second.ShouldNotBe(first);
        outcome.Message.ShouldStartWith("its restart command stopped it; ");
        IsAlive(first).ShouldBeFalse();
        Owner(port).Pid.ShouldBe(second);
        Served(port).ShouldBe($"pid {second}");
        result.Succeeded.ShouldBeTrue();
    }

    [Fact(Timeout = 90_000)]
    public async Task A_restart_command_that_kills_a_daemonizing_master_and_starts_nothing_fails_at_once_saying_the_process_is_gone()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new
        {
            port,
            start = $"{Serve} --port {{port}} --setsid &",
            restart = "kill {pid}",
            start_timeout = 60,
            after = "echo after >> {project_dir}/after.txt",
        });
        var first = Outcome(await scene.DeployAsync(), "web").Pid!.Value;
        scene.Lines("after.txt").ShouldBe(["after"]);

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.OldPid.ShouldBe(first);
        outcome.Message.ShouldBe(
            $"after its restart command, its process (pid {first}) is gone and port {port} no longer listens: the command stopped the service and " +
            "started nothing in its place. Give a restart command that starts it again, or \"restart\": true to have PbDeploy stop and start it");
        scene.Events.OfType<Waiting>().Last().Timeout.ShouldBe(TimeSpan.FromSeconds(60));
        result.Outcomes.ShouldNotContain(o => o.Service == "web" && o.Phase == Phase.After, "a failed restart ends its pipeline: no row for its after");
        scene.Lines("after.txt").ShouldBe(["after"]);
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    /// <summary>What the test server answers on <paramref name="port"/>: <c>pid PID</c>, and <c>build B</c> when started with one.</summary>
    private static string Served(int port)
    {
        using var client = new TcpClient("127.0.0.1", port);
        using var reader = new StreamReader(client.GetStream());
        return reader.ReadLine() ?? "";
    }
}
