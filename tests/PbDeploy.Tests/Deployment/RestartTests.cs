using System.Text.Json;
using PbDeploy.Deployment;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class RestartTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_restart_with_pid_reloads_the_master_in_place_and_reports_the_same_pid()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--workers 2 --hup-reload", port)["restart"] = "kill -s HUP {pid}";
        var started = Outcome(await scene.DeployAsync(), "web");
        started.Action.ShouldBe(ServiceAction.Started);
        var master = started.Pid!.Value;
        // The server writes its state file just after it listens, and readiness returns as soon as it listens.
        (await EventuallyAsync(() => Workers(scene).Count == 2)).ShouldBeTrue();
        var oldWorkers = Workers(scene);

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Restarted);
        outcome.OldPid.ShouldBe(master);
        outcome.Pid.ShouldBe(master);
        scene.Events.OfType<CommandStarted>().ShouldContain(e => e.Kind == CommandKinds.Restart && e.Command == $"kill -s HUP {master}");
        (await EventuallyAsync(() => Workers(scene) is { Count: 2 } now && !now.Intersect(oldWorkers).Any())).ShouldBeTrue();
        (await EventuallyAsync(() => Owner(port).Pids.Order().SequenceEqual(Workers(scene).Append(master).Order()))).ShouldBeTrue();
        (await EventuallyAsync(() => oldWorkers.All(w => !IsAlive(w)))).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restart_that_replaces_the_process_reports_the_old_and_the_new_pid()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port)["restart"] =
            $"kill {{pid}}; {WaitUntilPidGone}; {Serve} --port {{port}} </dev/null >>{{project_dir}}/web.out 2>&1 &";
        var first = Outcome(await scene.DeployAsync(), "web").Pid!.Value;

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Restarted);
        outcome.OldPid.ShouldBe(first);
        var second = outcome.Pid.ShouldNotBeNull();
        second.ShouldNotBe(first);
        Owner(port).Pid.ShouldBe(second);
        IsAlive(first).ShouldBeFalse();
        IsAlive(second).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_running_service_without_a_restart_command_is_left_running_and_its_before_and_after_do_not_run()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", port: port);
        web["before"] = "echo before >> {project_dir}/commands.txt";
        web["after"] = "echo after >> {project_dir}/commands.txt";
        var pid = Outcome(await scene.DeployAsync(), "web").Pid!.Value;
        scene.Lines("commands.txt").ShouldBe(["before", "after"]);

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.LeftRunning);
        outcome.OldPid.ShouldBe(pid);
        outcome.Pid.ShouldBe(pid);
        outcome.Message.ShouldBe("it has no restart; add \"restart\": true to replace it on each deploy");
        DeployText.Outcome(outcome).ShouldBe($"left running, pid {pid} (it has no restart; add \"restart\": true to replace it on each deploy)");
        result.Outcomes.ShouldHaveSingleItem("one outcome says it was left running: none for its before and after");
        result.Succeeded.ShouldBeTrue();
        scene.Lines("commands.txt").ShouldBe(["before", "after"]);
        Owner(port).Pid.ShouldBe(pid);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_restart_command_fails_the_service_and_names_the_old_pid()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port)["restart"] = "echo reload refused; exit 9";
        var pid = Outcome(await scene.DeployAsync(), "web").Pid!.Value;

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.OldPid.ShouldBe(pid);
        outcome.Message.ShouldBe("restart command failed with exit code 9: echo reload refused; exit 9");
        outcome.Output.ShouldBe("reload refused");
        result.Outcomes.ShouldHaveSingleItem("it has no after commands: no row for them");
        Owner(port).Pid.ShouldBe(pid);
    }

    private static List<int> Workers(DeployScene scene)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(scene.Dir.Combine("web.state.json")));
            return [.. json.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetInt32())];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
