using System.Diagnostics;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

public sealed class DeployCommandTests
{
    private static string Manifest(TempDirectory dir, string services) => dir.Write("pbdeploy.json", $$"""
        {
          "variables": { "python": "{{TestService.Python}}", "script": "{{TestService.Script}}" },
          "services": { {{services}} }
        }
        """);

    private static string Server(int port, string extra = "") =>
        $$"""{ "port": {{port}}, "start": "exec {python} {script} --port {port} {{extra}}", "daemonizes": false, "stop_timeout": 5 }""";

    [Fact(Timeout = 120_000)]
    public async Task Deploy_starts_then_restarts_then_stop_stops_exit_0()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = Manifest(dir, $$"""
            "web": { "port": {{port}}, "start": "exec {python} {script} --port {port} --hup-reload --workers 1", "restart": "kill -s HUP {pid}", "daemonizes": false }
            """);

        var first = await Pbdeploy.RunAsync("--manifest", manifest);
        var running = new ProcessFinder().FindPortOwner(port);
        var second = await Pbdeploy.RunAsync("deploy", "web", "--manifest", manifest);
        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        first.ExitCode.ShouldBe(0, first.Stdout + first.Stderr);
        running.State.ShouldBe(ServiceState.Running);
        first.Stdout.ShouldContain($"web: started, pid {running.Pid}");
        second.ExitCode.ShouldBe(0, second.Stdout + second.Stderr);
        second.Stdout.ShouldContain($"web: restarted, pid {running.Pid} → {running.Pid}");
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        stop.Stdout.ShouldContain($"web: stopped, pid {running.Pid}");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failed_service_exits_1_and_names_it_while_the_others_start()
    {
        using var dir = new TempDirectory();
        var good = TestService.FreePort();
        var bad = TestService.FreePort();
        using var cleanup = new PortCleanup(good, bad);
        var manifest = Manifest(dir, $"\"good\": {Server(good)}, \"bad\": {Server(bad, "--exit 3")}");

        var result = await Pbdeploy.RunAsync("--manifest", manifest);
        _ = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldContain("bad: FAILED in start/restart: it exited (exit code 3) before it was ready");
        result.Stdout.ShouldContain("testservice: exiting with 3");
        result.Stdout.ShouldContain("good: started");
        result.Stderr.ShouldContain(": bad failed in start/restart; 1 started; see above.");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_bad_template_exits_2_and_nothing_is_started_or_written()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        dir.Write("app.conf.template", "listen {port}\nhost {hots}\n");
        var manifest = Manifest(dir, $$"""
            "web": { "port": {{port}}, "start": "exec {python} {script} --port {port}", "daemonizes": false, "templates": ["app.conf.template"], "before": "touch before-ran" }
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldStartWith($"pbdeploy: error: {dir.Combine("app.conf.template")}:2:6: unknown variable 'hots'");
        result.Stdout.ShouldBeEmpty();
        File.Exists(dir.Combine("app.conf")).ShouldBeFalse();
        File.Exists(dir.Combine("before-ran")).ShouldBeFalse();
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 120_000)]
    public async Task Quick_skips_before_and_after()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = Manifest(dir, $$"""
            "web": { "port": {{port}}, "start": "exec {python} {script} --port {port}", "daemonizes": false, "before": "touch before-ran", "after": "touch after-ran" }
            """);

        var result = await Pbdeploy.RunAsync("--quick", "--manifest", manifest);
        _ = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("web: started");
        File.Exists(dir.Combine("before-ran")).ShouldBeFalse();
        File.Exists(dir.Combine("after-ran")).ShouldBeFalse();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_service_outlives_the_deploying_process_group_being_killed()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = Manifest(dir, $"\"web\": {Server(port)}");
        var done = dir.Combine("deploy-done");

        // A CI step: a process group that runs pbdeploy, then lingers until the runner kills the whole group.
        var step = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = dir.Path };
        foreach (var arg in (string[])["sh", "-c", "dotnet \"$0\" --manifest \"$1\" >/dev/null 2>&1; echo $? > \"$2\"; sleep 60", Pbdeploy.ToolDll, manifest, done])
        {
            step.ArgumentList.Add(arg);
        }

        using var group = Process.Start(step)!;
        await Wait.Until(() => File.Exists(done) && File.ReadAllText(done).Trim().Length > 0, TimeSpan.FromSeconds(60), "the deploy step");
        var before = new ProcessFinder().FindPortOwner(port);
        Signals.Describe(group.Id).ShouldNotBeNull().ProcessGroup.ShouldBe(group.Id);
        _ = Kill(-group.Id, 9);
        await group.WaitForExitAsync();
        await Task.Delay(300);

        File.ReadAllText(done).Trim().ShouldBe("0");
        before.State.ShouldBe(ServiceState.Running);
        var after = new ProcessFinder().FindPortOwner(port);
        after.State.ShouldBe(ServiceState.Running);
        after.Pid.ShouldBe(before.Pid);
        (await Pbdeploy.RunAsync("stop", "--manifest", manifest)).ExitCode.ShouldBe(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task Stop_while_a_deploy_holds_the_lock_says_whose_deploy_it_waits_for_and_how_long_it_has_run()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = Manifest(dir, $$"""
            "web": { "port": {{port}}, "start": "exec {python} {script} --port {port}", "daemonizes": false, "before": "touch {project_dir}/busy; i=0; while [ ! -e {project_dir}/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done" }
            """);
        var deploy = Task.Run(() => Pbdeploy.RunAsync("--manifest", manifest));
        try
        {
            await Wait.Until(() => File.Exists(dir.Combine("busy")), TimeSpan.FromSeconds(60), "the deploy to run its before command");

            var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest, "--lock-timeout", "1");

            stop.ExitCode.ShouldBe(1, stop.Stdout + stop.Stderr);
            stop.Stdout.ShouldContain($"waiting for the deploy of pid {Environment.ProcessId}, running for ");
            stop.Stderr.ShouldContain($"another deploy of {manifest} is running (pid {Environment.ProcessId}, running for ");
        }
        finally
        {
            File.WriteAllText(dir.Combine("go"), "");
            _ = await deploy;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
