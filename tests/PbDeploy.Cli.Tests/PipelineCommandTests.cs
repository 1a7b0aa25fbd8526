using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary><c>pbdeploy</c> deploys service by service (before, start/restart, after), and takes along what a named service depends on.</summary>
public sealed class PipelineCommandTests
{
    private const string Log = " >> {project_dir}/order.txt";

    private static ServiceState State(int port) => new ProcessFinder().FindPortOwner(port).State;

    private static string Manifest(TempDirectory dir, string services)
    {
        _ = dir.Write("wait_port.py", """
            import socket, sys
            try:
                socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()
            except OSError:
                print(f"port {sys.argv[1]} does not listen")
                sys.exit(1)
            """);
        return dir.Write("pbdeploy.json", $$"""
            {
              "variables": { "python": "{{TestService.Python}}", "script": "{{TestService.Script}}" },
              "services": { {{services}} }
            }
            """);
    }

    private static string Server(int port, string extra = "") =>
        $$"""{ "port": {{port}}, "start": "exec {python} {script} --port {port}", "daemonizes": false, "stop_timeout": 5{{extra}} }""";

    [Fact(Timeout = 180_000)]
    public async Task An_app_whose_before_needs_its_database_deploys_after_the_whole_database_pipeline()
    {
        using var dir = new TempDirectory();
        int db = TestService.FreePort(), app = TestService.FreePort();
        using var cleanup = new PortCleanup(db, app);
        var manifest = Manifest(dir, $$"""
            "app": {{Server(app, $$""", "depends_on": ["db"], "before": "{python} {project_dir}/wait_port.py {services.db.port} && echo app before{{Log}}" """)}},
            "db": {{Server(db, $$""", "after": "echo db after{{Log}}" """)}}
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);
        _ = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        File.ReadAllLines(dir.Combine("order.txt")).ShouldBe(["db after", "app before"]);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_failed_before_skips_its_dependents_while_an_independent_service_deploys_exit_1()
    {
        using var dir = new TempDirectory();
        int db = TestService.FreePort(), app = TestService.FreePort(), other = TestService.FreePort();
        using var cleanup = new PortCleanup(db, app, other);
        var manifest = Manifest(dir, $$"""
            "db": {{Server(db, """, "before": "echo cannot migrate; exit 4" """)}},
            "app": {{Server(app, """, "depends_on": "db" """)}},
            "other": {{Server(other)}}
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);
        var states = (State(db), State(app), State(other));
        _ = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("db: FAILED in before: command failed with exit code 4: echo cannot migrate; exit 4");
        result.Stdout.ShouldContain("app: skipped start/restart: it depends on 'db', which failed in before");
        states.ShouldBe((ServiceState.Stopped, ServiceState.Stopped, ServiceState.Running));
    }

    [Fact(Timeout = 240_000)]
    public async Task Naming_a_service_deploys_what_it_depends_on_no_deps_only_it_and_stop_only_it()
    {
        using var dir = new TempDirectory();
        int db = TestService.FreePort(), app = TestService.FreePort();
        using var cleanup = new PortCleanup(db, app);
        var manifest = Manifest(dir, $$"""
            "db": {{Server(db)}},
            "app": {{Server(app, """, "depends_on": ["db"] """)}}
            """);

        var deploy = await Pbdeploy.RunAsync("app", "--manifest", manifest);
        var afterDeploy = (State(db), State(app));
        var stop = await Pbdeploy.RunAsync("stop", "app", "--manifest", manifest);
        var afterStop = (State(db), State(app));
        _ = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        var alone = await Pbdeploy.RunAsync("deploy", "app", "--no-deps", "--manifest", manifest);
        var afterAlone = (State(db), State(app));
        _ = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        afterDeploy.ShouldBe((ServiceState.Running, ServiceState.Running), "pbdeploy app deploys db, which app depends on");
        deploy.Stdout.ShouldContain("db: started");
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        afterStop.ShouldBe((ServiceState.Running, ServiceState.Stopped), "stop app leaves db running");
        alone.ExitCode.ShouldBe(0, alone.Stdout + alone.Stderr);
        afterAlone.ShouldBe((ServiceState.Stopped, ServiceState.Running), "--no-deps deploys app only");
        alone.Stdout.ShouldNotContain("db:");
    }
}
