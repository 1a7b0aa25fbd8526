using System.Runtime.CompilerServices;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>A deploy runs one pipeline per service (before → start/restart → after); the phase runner keeps phases.</summary>
public sealed class PipelineTests
{
    private const string Log = " >> {project_dir}/order.txt";

    /// <summary><c>{python} {project_dir}/wait_port.py PORT SECONDS</c>: exits 0 once PORT accepts a connection, 1 after SECONDS.</summary>
    private const string WaitPort = "{python} {project_dir}/wait_port.py";

    [Fact(Timeout = 90_000)]
    public async Task An_app_whose_before_needs_its_database_deploys_because_the_database_pipeline_ends_before_it_begins()
    {
        await using var scene = DatabaseAndApp();

        var result = await scene.DeployAsync();

        result.Succeeded.ShouldBeTrue(string.Join("\n", result.Failures.Select(f => $"{f.Service}: {f.Message}")));
        scene.Lines("order.txt").ShouldBe(["db before", "db after", "app before", "app after"]);
        result.Outcomes.Select(o => (o.Service, o.Phase, o.Action)).ShouldBe(
        [
            ("db", Phase.Before, ServiceAction.CommandsRan),
            ("db", Phase.StartOrRestart, ServiceAction.Started),
            ("db", Phase.After, ServiceAction.CommandsRan),
            ("app", Phase.Before, ServiceAction.CommandsRan),
            ("app", Phase.StartOrRestart, ServiceAction.Started),
            ("app", Phase.After, ServiceAction.CommandsRan),
        ]);
        scene.Events.OfType<DeployStarted>().ShouldHaveSingleItem().Services.ShouldBe(["db", "app"]);
        scene.Events.OfType<PhaseStarted>().ShouldBeEmpty();
    }

    [Fact(Timeout = 90_000)]
    public async Task The_Before_phase_of_a_build_engine_still_runs_every_before_first_so_the_same_app_fails_there()
    {
        await using var scene = DatabaseAndApp();
        using var runner = new PhaseRunner(scene.Deployer());

        var before = await runner.RunAsync(Phase.Before, new DeployOptions(), Timeout(60));
        var start = await runner.RunAsync(Phase.StartOrRestart, new DeployOptions(), Timeout(60));
        runner.Close();

        before.Single(o => o.Service == "db").Action.ShouldBe(ServiceAction.CommandsRan);
        var app = before.Single(o => o.Service == "app");
        app.Action.ShouldBe(ServiceAction.Failed, "db does not listen yet: phases run every before before any start");
        app.Message.ShouldStartWith("before command failed with exit code 1: ");
        start.Single(o => o.Service == "db").Action.ShouldBe(ServiceAction.Started);
        start.Single(o => o.Service == "app").Message.ShouldBe("not run: it failed in before");
        scene.Lines("order.txt").ShouldBe(["db before"]);
    }

    [Fact(Timeout = 90_000)]
    public async Task Independent_pipelines_run_at_the_same_time()
    {
        await using var scene = new DeployScene();
        WriteWaitPort(scene);
        int onePort = scene.Port(), twoPort = scene.Port();
        // one's before waits for two to listen: it can only pass while two's pipeline goes on beside it.
        scene.Server("one", port: onePort)["before"] = $"{WaitPort} {twoPort} 30 && echo one before{Log}";
        scene.Server("two", port: twoPort)["after"] = $"echo two after{Log}";

        var result = await scene.DeployAsync();

        result.Succeeded.ShouldBeTrue(string.Join("\n", result.Failures.Select(f => $"{f.Service}: {f.Message}")));
        scene.Lines("order.txt").ShouldContain("one before");
        Owner(onePort).State.ShouldBe(ServiceState.Running);
        Owner(twoPort).State.ShouldBe(ServiceState.Running);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_failed_after_fails_its_pipeline_and_skips_its_dependents_while_an_independent_service_deploys()
    {
        await using var scene = new DeployScene();
        int dbPort = scene.Port(), appPort = scene.Port(), otherPort = scene.Port();
        scene.Server("db", port: dbPort)["after"] = "echo migration failed; exit 5";
        var app = scene.Server("app", port: appPort);
        app["depends_on"] = "db";
        app["before"] = $"echo app before{Log}";
        app["after"] = $"echo app after{Log}";
        scene.Server("other", port: otherPort)["after"] = $"echo other after{Log}";

        var result = await scene.DeployAsync();

        Outcome(result, "db").Action.ShouldBe(ServiceAction.Started);
        Outcome(result, "db", Phase.After).Action.ShouldBe(ServiceAction.Failed);
        var skipped = result.Outcomes.Where(o => o.Service == "app").ShouldHaveSingleItem();
        (skipped.Phase, skipped.Action).ShouldBe((Phase.Before, ServiceAction.Skipped));
        skipped.Message.ShouldBe("not run: it depends on 'db', which failed in after");
        Outcome(result, "other", Phase.After).Action.ShouldBe(ServiceAction.CommandsRan);
        scene.Lines("order.txt").ShouldBe(["other after"]);
        Owner(dbPort).State.ShouldBe(ServiceState.Running, "a failed after leaves its service running");
        Owner(appPort).State.ShouldBe(ServiceState.Stopped);
        Owner(otherPort).State.ShouldBe(ServiceState.Running);
        Should.Throw<ServiceFailedException>(() => result.EnsureSucceeded("deploy")).Message.ShouldBe(
            "PbDeploy deploy failed: db: after command failed with exit code 5: echo migration failed; exit 5; " +
            "app: not run: it depends on 'db', which failed in after");
    }

    [Fact(Timeout = 90_000)]
    public async Task Quick_runs_no_before_or_after_and_still_deploys_in_dependency_order()
    {
        await using var scene = DatabaseAndApp();

        var result = await scene.DeployAsync(new DeployOptions { Quick = true });

        result.Outcomes.Select(o => (o.Service, o.Phase, o.Action)).ShouldBe(
            [("db", Phase.StartOrRestart, ServiceAction.Started), ("app", Phase.StartOrRestart, ServiceAction.Started)]);
        scene.Lines("order.txt").ShouldBeEmpty();
        scene.Events.OfType<DeployStarted>().ShouldHaveSingleItem().Quick.ShouldBeTrue();
    }

    [Fact(Timeout = 120_000)]
    public async Task Naming_a_service_deploys_what_it_depends_on_no_deps_only_it_and_stop_only_it()
    {
        await using var scene = new DeployScene();
        int frontPort = scene.Port(), appPort = scene.Port(), dbPort = scene.Port(), otherPort = scene.Port();
        scene.Server("front", port: frontPort)["depends_on"] = "app";
        scene.Server("app", port: appPort)["depends_on"] = "db";
        scene.Server("db", port: dbPort);
        scene.Server("other", port: otherPort);
        int[] ports = [frontPort, appPort, dbPort, otherPort];
        ServiceState[] States() => [.. ports.Select(p => Owner(p).State)];
        const ServiceState Up = ServiceState.Running, Down = ServiceState.Stopped;

        var withDependencies = await scene.DeployAsync(new DeployOptions { Services = ["front"] });
        var afterDeploy = States();
        var stopped = await scene.StopAsync(new DeployOptions { Services = ["front"] });
        var afterStop = States();
        _ = await scene.StopAsync();
        var alone = await scene.DeployAsync(new DeployOptions { Services = ["front"], NoDependencies = true });
        var afterAlone = States();

        withDependencies.Outcomes.Select(o => o.Service).ShouldBe(["front", "app", "db"], "manifest order");
        afterDeploy.ShouldBe([Up, Up, Up, Down], "front, and app and db that it depends on, through app");
        scene.Events.OfType<DeployStarted>().First().Services.ShouldBe(["front", "app", "db"]);
        stopped.Outcomes.ShouldHaveSingleItem().Service.ShouldBe("front");
        afterStop.ShouldBe([Down, Up, Up, Down], "stop front stops only front");
        alone.Outcomes.ShouldHaveSingleItem().Action.ShouldBe(ServiceAction.Started);
        afterAlone.ShouldBe([Up, Down, Down, Down], "--no-deps: front only");
    }

    /// <summary>db, and app that depends on it; app's before passes only while db listens; each before and after logs its run.</summary>
    private static DeployScene DatabaseAndApp([CallerMemberName] string name = "")
    {
        var scene = new DeployScene(name);
        WriteWaitPort(scene);
        var db = scene.Server("db");
        db["before"] = $"echo db before{Log}";
        db["after"] = $"echo db after{Log}";
        var app = scene.Server("app");
        app["depends_on"] = "db";
        app["before"] = $"{WaitPort} {{services.db.port}} 0 && echo app before{Log}";
        app["after"] = $"echo app after{Log}";
        _ = scene.Write();
        return scene;
    }

    private static void WriteWaitPort(DeployScene scene) => _ = scene.Dir.Write("wait_port.py", """
        import socket, sys, time

        port, seconds = int(sys.argv[1]), float(sys.argv[2])
        deadline = time.monotonic() + seconds
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                sys.exit(0)
            except OSError:
                if time.monotonic() >= deadline:
                    print(f"port {port} does not listen")
                    sys.exit(1)
                time.sleep(0.05)
        """);
}
