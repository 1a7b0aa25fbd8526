using System.Text.RegularExpressions;
using PbDeploy.Cli.Tests.EndToEnd;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// What a deploy and a stop print, line by line, as a new user reads it: by default a line per step that did
/// something and one closing line; <c>-q</c> only the failures and that line; <c>-v</c> every command with its exit.
/// Pids and durations are replaced by <c>N</c> and <c>T</c> before comparing; nothing asserts on timing.
/// </summary>
public sealed partial class DeployOutputTests
{
    private static string Manifest(TempDirectory dir, string services) => dir.Write("pbdeploy.json", $$"""
        {
          "variables": { "python": "{{TestService.Python}}", "script": "{{TestService.Script}}" },
          "services": { {{services}} }
        }
        """);

    private static string Server(int port, string extra = "") =>
        $$"""{ "port": {{port}}, "start": "exec {python} {script} --port {port}", "daemonizes": false, "stop_timeout": 5{{extra}} }""";

    /// <summary>The output's lines, pids as <c>N</c> and durations as <c>T</c>.</summary>
    private static string[] Lines(string output) =>
        [.. Normalize(output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static string Normalize(string output) =>
        Duration().Replace(Pid().Replace(output, "pid N"), "T");

    [GeneratedRegex(@"pid \d+( → \d+)?")]
    private static partial Regex Pid();

    [GeneratedRegex(@"\d+\.\d+ s\b")]
    private static partial Regex Duration();

    /// <summary>No internal name, unrendered placeholder nor doubled phrase, in any output of a failing run.</summary>
    private static void ShouldHaveNoInternalWords(RunResult result)
    {
        var all = result.Stdout + result.Stderr;
        all.ShouldNotContain("StartOrRestart", Case.Sensitive);
        all.ShouldNotContain("Before", Case.Sensitive);
        all.ShouldNotContain("{", Case.Sensitive);
        all.ShouldNotContain("}", Case.Sensitive);
        all.ShouldNotContain("not run: not run", Case.Sensitive);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_deploy_prints_the_manifest_a_line_per_step_that_did_something_and_a_closing_line_and_so_does_stop()
    {
        using var dir = new TempDirectory();
        var db = TestService.FreePort();
        var web = TestService.FreePort();
        using var cleanup = new PortCleanup(db, web);
        var manifest = Manifest(dir, $$"""
            "db": {{Server(db, ", \"before\": \"echo preparing\"")}},
            "web": {{Server(web, ", \"depends_on\": [\"db\"], \"after\": [\"echo warming up\", \"echo warmed up\"]")}}
            """);

        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);
        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        var quietStop = await Pbdeploy.RunAsync("stop", "-q", "--manifest", manifest);

        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        Lines(deploy.Stdout).ShouldBe([
            $"manifest: {manifest}",
            "db: before done",
            "db: started, pid N",
            "web: started, pid N",
            "web: after done",
            "deploy done in T: 2 started",
        ]);
        deploy.Stderr.ShouldBeEmpty();
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        Lines(stop.Stdout).ShouldBe([$"manifest: {manifest}", "web: stopped, pid N", "db: stopped, pid N", "stop done in T: 2 stopped"]);
        quietStop.ExitCode.ShouldBe(0, quietStop.Stdout + quietStop.Stderr);
        Lines(quietStop.Stdout).ShouldBe(["stop done in T: 2 not running"]);
        new ProcessFinder().FindPortOwner(web).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_redeploy_of_twenty_services_that_changes_nothing_prints_a_line_per_service_and_one_closing_line()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("run"));
        var names = Enumerable.Range(0, 20).Select(i => $"svc{i:00}").ToList();
        var cleanups = names.Select(name => new PidfileCleanup(dir.Combine("run", $"{name}.pid"))).ToList();
        try
        {
            // Cheap services: a shell that writes its pid, then becomes a sleep.
            var manifest = Manifest(dir, string.Join(",\n", names.Select(name => $$"""
                "{{name}}": { "pidfile": "run/{{name}}.pid", "start": "echo $$ > run/{{name}}.pid.tmp && mv run/{{name}}.pid.tmp run/{{name}}.pid && exec sleep 600", "daemonizes": false }
                """)));

            var first = await Pbdeploy.RunAsync("--manifest", manifest);
            var again = await Pbdeploy.RunAsync("--manifest", manifest);
            var quiet = await Pbdeploy.RunAsync("-q", "--manifest", manifest);
            var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

            first.ExitCode.ShouldBe(0, first.Stdout + first.Stderr);
            again.ExitCode.ShouldBe(0, again.Stdout + again.Stderr);
            var lines = Lines(again.Stdout);
            lines.Length.ShouldBe(22, again.Stdout); // was 45: a line per service, then the same again as a table
            lines[0].ShouldBe($"manifest: {manifest}");
            lines[1..^1].Select(l => l.Split(':')[0]).Order().ShouldBe(names);
            lines[1..^1].ShouldAllBe(l => l.Contains(": left running, pid N"));
            lines[^1].ShouldBe("deploy done in T: 20 left running");
            again.Stderr.ShouldBeEmpty();
            quiet.ExitCode.ShouldBe(0, quiet.Stdout + quiet.Stderr);
            Lines(quiet.Stdout).ShouldBe(["deploy done in T: 20 left running"]);
            stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
            Lines(stop.Stdout).Length.ShouldBe(22, stop.Stdout);
            Lines(stop.Stdout)[^1].ShouldBe("stop done in T: 20 stopped");
        }
        finally
        {
            cleanups.ForEach(c => c.Dispose());
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failing_before_is_said_once_its_dependent_once_and_the_error_line_names_both()
    {
        using var dir = new TempDirectory();
        var db = TestService.FreePort();
        var app = TestService.FreePort();
        var web = TestService.FreePort();
        using var cleanup = new PortCleanup(db, app, web);
        var manifest = Manifest(dir, $$"""
            "db": {{Server(db, ", \"before\": \"echo 'no such table' >&2; exit 4\"")}},
            "app": {{Server(app, ", \"depends_on\": [\"db\"], \"before\": \"echo app before\", \"after\": \"echo app after\"")}},
            "web": {{Server(web)}}
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);
        var quiet = await Pbdeploy.RunAsync("--quiet", "--manifest", manifest);
        _ = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        result.ExitCode.ShouldBe(1);
        var lines = Lines(result.Stdout);
        lines[0].ShouldBe($"manifest: {manifest}");
        lines[1..].Order().ShouldBe(new[]
        {
            "db: FAILED in before: command failed with exit code 4: echo 'no such table' >&2; exit 4",
            "    no such table",
            "app: skipped before: it depends on 'db', which failed in before",
            "web: started, pid N",
        }.Order());
        lines.ShouldContain("    no such table"); // the failing command's output, under its failure
        Lines(result.Stderr).ShouldBe(["pbdeploy: error: deploy failed in T: db failed in before; app not run; 1 started; see above."]);
        ShouldHaveNoInternalWords(result);

        quiet.ExitCode.ShouldBe(1);
        Lines(quiet.Stdout).ShouldBe([
            "db: FAILED in before: command failed with exit code 4: echo 'no such table' >&2; exit 4",
            "    no such table",
        ]);
        Lines(quiet.Stderr).ShouldBe(["pbdeploy: error: deploy failed in T: db failed in before; app not run; 1 left running; see above."]);
        ShouldHaveNoInternalWords(quiet);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failing_start_is_said_once_with_its_log_and_no_row_for_an_after_that_does_not_exist()
    {
        using var dir = new TempDirectory();
        var db = TestService.FreePort();
        var app = TestService.FreePort();
        using var cleanup = new PortCleanup(db, app);
        var manifest = Manifest(dir, $$"""
            "db": { "port": {{db}}, "start": "exec {python} {script} --port {port} --exit 3", "daemonizes": false },
            "app": {{Server(app, ", \"depends_on\": [\"db\"], \"after\": \"echo app after\"")}}
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);

        result.ExitCode.ShouldBe(1);
        Lines(result.Stdout).ShouldBe([
            $"manifest: {manifest}",
            $"db: FAILED in start/restart: it exited (exit code 3) before it was ready (waiting for port {db} to listen); log: {dir.Combine(".pbdeploy", "logs", "db.log")}",
            "    testservice: exiting with 3",
            "    testservice: error output",
            "app: skipped start/restart: it depends on 'db', which failed in start/restart",
        ]);
        Lines(result.Stderr).ShouldBe(["pbdeploy: error: deploy failed in T: db failed in start/restart; app not run; see above."]);
        ShouldHaveNoInternalWords(result);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_readiness_timeout_names_the_pidfile_by_its_real_path()
    {
        using var dir = new TempDirectory();
        var manifest = Manifest(dir, """
            "slow": { "pidfile": "{project_dir}/run/slow.pid", "start": "exec sleep 60", "daemonizes": false, "start_timeout": 1 }
            """);

        var result = await Pbdeploy.RunAsync("-v", "--manifest", manifest);

        result.ExitCode.ShouldBe(1);
        var pidfile = dir.Combine("run", "slow.pid");
        var lines = Lines(result.Stdout);
        lines.ShouldContain($"slow: waiting for pidfile {pidfile} to name a live process (up to 1 s)");
        lines.ShouldContain(
            $"slow: FAILED in start/restart: it was not ready within its start_timeout of 1 s (waiting for pidfile {pidfile} to name a live process); log: {dir.Combine(".pbdeploy", "logs", "slow.log")}");
        Lines(result.Stderr).ShouldBe(["pbdeploy: error: deploy failed in T: slow failed in start/restart; see above."]);
        ShouldHaveNoInternalWords(result);
    }

    [Fact(Timeout = 120_000)]
    public async Task Verbose_prints_each_command_as_it_starts_and_its_exit_when_it_ends_then_a_table()
    {
        using var dir = new TempDirectory();
        var web = TestService.FreePort();
        using var cleanup = new PortCleanup(web);
        var manifest = Manifest(dir, $$"""
            "web": {{Server(web, ", \"before\": \"echo preparing\", \"after\": \"echo 'cache cold' >&2; exit 5\"")}}
            """);

        var result = await Pbdeploy.RunAsync("--verbose", "--manifest", manifest);
        var stop = await Pbdeploy.RunAsync("stop", "-v", "--manifest", manifest);

        result.ExitCode.ShouldBe(1);
        var lines = Lines(result.Stdout);
        lines.ShouldContain("web: before: echo preparing");
        lines.ShouldContain("web: before: exit code 0 after T");
        lines.ShouldContain($"web: start: exec {TestService.Python} {TestService.Script} --port {web}");
        lines.ShouldContain($"web: waiting for port {web} to listen (up to 30 s)");
        lines.ShouldContain("web: started, pid N");
        lines.ShouldContain("web: after: echo 'cache cold' >&2; exit 5");
        lines.ShouldContain("web: after: exit code 5 after T");
        lines.ShouldContain("web: FAILED in after: command failed with exit code 5: echo 'cache cold' >&2; exit 5");
        lines.ShouldContain(l => l.StartsWith("| service | phase ", StringComparison.Ordinal), "the table of every step");
        Array.IndexOf(lines, "web: before: echo preparing").ShouldBeLessThan(Array.IndexOf(lines, "web: before: exit code 0 after T"));
        Lines(result.Stderr).ShouldBe(["pbdeploy: error: deploy failed in T: web failed in after; see above."]);
        ShouldHaveNoInternalWords(result);

        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        Lines(stop.Stdout).ShouldContain($"web: waiting for pid N to exit and port {web} to be free (up to 5 s)");
        Lines(stop.Stdout)[^1].ShouldBe("stop done in T: 1 stopped");
    }

    [Fact(Timeout = 120_000)]
    public async Task Short_q_is_quiet_not_quick_and_quiet_with_verbose_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        var manifest = Manifest(dir, """
            "job": { "pidfile": "run/job.pid", "start": "mkdir -p run && echo $$ > run/job.pid && exec sleep 60", "daemonizes": false, "before": "touch before-ran" }
            """);
        using var cleanup = new PidfileCleanup(dir.Combine("run", "job.pid"));

        var quiet = await Pbdeploy.RunAsync("-q", "--manifest", manifest);
        var both = await Pbdeploy.RunAsync("stop", "-q", "-v", "--manifest", manifest);
        var stop = await Pbdeploy.RunAsync("stop", "-q", "--manifest", manifest);

        quiet.ExitCode.ShouldBe(0, quiet.Stdout + quiet.Stderr);
        File.Exists(dir.Combine("before-ran")).ShouldBeTrue("-q no longer skips before: --quick does");
        Lines(quiet.Stdout).ShouldBe(["deploy done in T: 1 started"]);
        both.ExitCode.ShouldBe(2);
        both.Stderr.ShouldBe("pbdeploy: error: --quiet and --verbose cannot be used together (see pbdeploy --help)\n");
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        Lines(stop.Stdout).ShouldBe(["stop done in T: 1 stopped"]);
    }
}
