using System.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class PhaseTests
{
    private const string Log = " >> {project_dir}/order.txt";

    [Fact(Timeout = 60_000)]
    public async Task Before_start_and_after_commands_run_in_order()
    {
        await using var scene = new DeployScene();
        scene.Service("web", new
        {
            port = scene.Port(),
            start = $"echo start{Log}; exec {Serve} --port {{port}}",
            daemonizes = false,
            before = new[] { $"echo before 1{Log}", $"echo before 2{Log}" },
            after = $"echo after{Log}",
        });

        var result = await scene.DeployAsync();

        scene.Lines("order.txt").ShouldBe(["before 1", "before 2", "start", "after"]);
        result.Outcomes.Select(o => (o.Phase, o.Action)).ShouldBe(
            [(Phase.Before, ServiceAction.CommandsRan), (Phase.StartOrRestart, ServiceAction.Started), (Phase.After, ServiceAction.CommandsRan)]);
        scene.Events.OfType<CommandStarted>().Select(e => e.Kind).ShouldBe(
            [CommandKinds.Before, CommandKinds.Before, CommandKinds.Start, CommandKinds.After]);
        Should.NotThrow(() => result.EnsureSucceeded("deploy"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Quick_skips_before_and_after()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new
        {
            port,
            start = $"echo start{Log}; exec {Serve} --port {{port}}",
            daemonizes = false,
            before = $"echo before{Log}",
            after = $"echo after{Log}",
        });

        var result = await scene.DeployAsync(new DeployOptions { Quick = true });

        scene.Lines("order.txt").ShouldBe(["start"]);
        result.Outcomes.ShouldHaveSingleItem().Action.ShouldBe(ServiceAction.Started);
        Owner(port).State.ShouldBe(ServiceState.Running);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_before_fails_its_service_and_skips_its_dependents_while_an_independent_service_starts()
    {
        await using var scene = new DeployScene();
        int dbPort = scene.Port(), webPort = scene.Port(), otherPort = scene.Port();
        scene.Service("db", new { port = dbPort, start = $"exec {Serve} --port {{port}}", daemonizes = false, before = new[] { "echo migrating; exit 7", $"echo never{Log}" } });
        scene.Service("web", new { port = webPort, start = $"exec {Serve} --port {{port}}", daemonizes = false, depends_on = new[] { "db" }, before = $"echo web before{Log}" });
        scene.Service("other", new { port = otherPort, start = $"exec {Serve} --port {{port}}", daemonizes = false, before = $"echo other before{Log}" });

        var result = await scene.DeployAsync();

        result.Succeeded.ShouldBeFalse();
        var db = Outcome(result, "db", Phase.Before);
        db.Action.ShouldBe(ServiceAction.Failed);
        db.Message.ShouldBe("before command failed with exit code 7: echo migrating; exit 7");
        db.Output.ShouldBe("migrating");
        var web = Outcome(result, "web", Phase.Before);
        web.Action.ShouldBe(ServiceAction.Skipped);
        web.Message.ShouldBe("not run: it depends on 'db', which failed in before");
        // One row each: the failed step ends db's pipeline, and web's pipeline is skipped as a whole.
        result.Outcomes.Where(o => o.Service is "db" or "web").Count().ShouldBe(2);
        Outcome(result, "other", Phase.Before).Action.ShouldBe(ServiceAction.CommandsRan);
        Outcome(result, "other").Action.ShouldBe(ServiceAction.Started);
        scene.Lines("order.txt").ShouldBe(["other before"]);
        var failure = Should.Throw<ServiceFailedException>(() => result.EnsureSucceeded("deploy"));
        (failure.Service, failure.Phase, failure.Output).ShouldBe(("db", DeployText.Phase(Phase.Before), "migrating"));
        failure.Message.ShouldBe(
            "PbDeploy deploy failed: db: before command failed with exit code 7: echo migrating; exit 7; web: not run: it depends on 'db', which failed in before");
        Owner(dbPort).State.ShouldBe(ServiceState.Stopped);
        Owner(webPort).State.ShouldBe(ServiceState.Stopped);
        Owner(otherPort).State.ShouldBe(ServiceState.Running);
    }

    [Fact(Timeout = 60_000)]
    public async Task Dependency_order_holds_through_a_service_that_is_not_selected()
    {
        await using var scene = new DeployScene();
        // front -> app -> db; only front and db are deployed: front must still wait for db.
        AddChain(scene);

        var options = new DeployOptions { Services = ["front", "db"], NoDependencies = true };
        var started = await scene.DeployAsync(options);
        var stopped = await scene.StopAsync(options);

        started.Outcomes.Where(o => o.Phase == Phase.StartOrRestart).Select(o => o.Service).ShouldBe(["front", "db"]);
        scene.Lines("order.txt").ShouldBe(["start db", "start front", "stop front", "stop db"]);
        stopped.Outcomes.ShouldAllBe(o => o.Action == ServiceAction.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task Services_start_in_dependency_order_and_stop_in_reverse()
    {
        await using var scene = new DeployScene();
        // Listed against their order; each binds only after a delay, so a start that did not wait would come first.
        AddChain(scene);

        var started = await scene.DeployAsync();
        started.Outcomes.Where(o => o.Phase == Phase.StartOrRestart).ShouldAllBe(o => o.Action == ServiceAction.Started);
        scene.Lines("order.txt").ShouldBe(["start db", "start app", "start front"]);

        var stopped = await scene.StopAsync();

        stopped.Outcomes.ShouldAllBe(o => o.Action == ServiceAction.Stopped);
        scene.Lines("order.txt").Skip(3).ShouldBe(["stop front", "stop app", "stop db"]);
        var finished = scene.Events.OfType<ServiceFinished>().Where(e => e.Outcome.Phase == Phase.Stop).Select(e => e.Service);
        finished.ShouldBe(["front", "app", "db"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Independent_services_start_at_the_same_time()
    {
        await using var scene = new DeployScene();
        foreach (var name in new[] { "one", "two", "three" })
        {
            scene.Server(name, "--delay 1")["start_timeout"] = 20;
        }

        _ = scene.Write();
        var clock = Stopwatch.StartNew();
        var result = await scene.DeployAsync();
        clock.Stop();

        result.Outcomes.Where(o => o.Phase == Phase.StartOrRestart).ShouldAllBe(o => o.Action == ServiceAction.Started);
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2.5)); // one after another would take more than 3 s
    }

    [Fact(Timeout = 60_000)]
    public async Task Templates_are_rendered_before_the_start_command_runs()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Dir.Write("app.conf.template", "listen {port}; name {name}; {literal braces}\n");
        var web = scene.Service("web", new
        {
            port,
            start = $"cat {{project_dir}}/app.conf{Log}; exec {Serve} --port {{port}}",
            daemonizes = false,
            templates = new[] { "app.conf.template" },
        });

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Started);
        scene.Lines("order.txt").ShouldBe([$"listen {port}; name web; {{literal braces}}"]);
        scene.Events.OfType<TemplatesRendered>().ShouldHaveSingleItem().Service.ShouldBe("web");
    }

    [Fact(Timeout = 60_000)]
    public async Task Only_the_selected_services_are_deployed_and_stopped()
    {
        await using var scene = new DeployScene();
        int webPort = scene.Port(), otherPort = scene.Port();
        scene.Server("web", port: webPort);
        scene.Server("other", port: otherPort);

        var result = await scene.DeployAsync(new DeployOptions { Services = ["web"] });

        result.Outcomes.ShouldAllBe(o => o.Service == "web");
        Owner(webPort).State.ShouldBe(ServiceState.Running);
        Owner(otherPort).State.ShouldBe(ServiceState.Stopped);
        _ = await scene.DeployAsync(new DeployOptions { Services = ["other"], Quick = true });
        Owner(otherPort).State.ShouldBe(ServiceState.Running);

        var stopped = await scene.StopAsync(new DeployOptions { Services = ["other"] });

        stopped.Outcomes.ShouldHaveSingleItem().Action.ShouldBe(ServiceAction.Stopped);
        Owner(otherPort).State.ShouldBe(ServiceState.Stopped);
        Owner(webPort).State.ShouldBe(ServiceState.Running);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_after_command_fails_the_service_but_leaves_it_running()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port)["after"] = "echo tests failed; exit 2";

        var result = await scene.DeployAsync();

        Outcome(result, "web").Action.ShouldBe(ServiceAction.Started);
        var after = Outcome(result, "web", Phase.After);
        after.Action.ShouldBe(ServiceAction.Failed);
        after.Message.ShouldBe("after command failed with exit code 2: echo tests failed; exit 2");
        after.Output.ShouldBe("tests failed");
        result.Succeeded.ShouldBeFalse();
        Owner(port).Pid.ShouldBe(Outcome(result, "web").Pid);
    }

    /// <summary>front → app → db, listed against their order; each binds only after a delay and logs its start and stop to order.txt.</summary>
    private static void AddChain(DeployScene scene)
    {
        foreach (var (name, dependsOn) in new[] { ("front", "app"), ("app", "db"), ("db", null) })
        {
            scene.Service(name, new
            {
                port = scene.Port(),
                start = $"echo start {{name}}{Log}; exec {Serve} --port {{port}} --delay 0.3",
                stop = $"echo stop {{name}}{Log}; kill {{pid}}",
                daemonizes = false,
                depends_on = dependsOn is null ? Array.Empty<string>() : new[] { dependsOn },
            });
        }
    }
}
