using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// The real tool asked to signal what it must never signal: pid 1 holding the port or named by a pidfile, pbdeploy
/// itself, the shell that runs it, a kernel thread. Where a mistake could kill processes, the tool runs inside a PID
/// namespace whose pid 1 leads group 1, records every signal it gets and keeps a bystander alive: the old code sent
/// pid 1 SIGTERM, then kill(-1, SIGKILL), which in the namespace kills everything but pid 1.
/// </summary>
public sealed class SignalSafetyTests
{
    private static string Tool => $"dotnet {Pbdeploy.ToolDll}";

    [Fact(Timeout = 180_000)]
    public async Task A_port_held_by_pid_1_is_refused_by_stop_and_deploy_and_nothing_in_the_namespace_is_signalled()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, "start": "touch {project_dir}/started", "restart": "kill {pid}", "stop_timeout": 1 } } }
            """);

        var run = await PidNamespace.RunAsync(dir, port, "/bin/sh", "-c",
            $"{Tool} stop --manifest {manifest}; echo \"stop exit $?\"; {Tool} --manifest {manifest}; echo \"deploy exit $?\"; {Tool} status --manifest {manifest}; echo \"status exit $?\"");

        var refusal = $"port {port} is in use by pid 1 (init); pbdeploy will neither signal it nor start a second copy. Free the port by other means, or give the service another port.";
        run.Stdout.ShouldContain($"web: FAILED in stop: {refusal}", Case.Sensitive, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("stop exit 1");
        run.Stdout.ShouldContain($"web: FAILED in start/restart: {refusal}");
        run.Stdout.ShouldContain("deploy exit 1");
        run.Stdout.ShouldContain("foreign");
        run.Stdout.ShouldContain("status exit 0");
        run.Stderr.ShouldContain($"pbdeploy: warning: web: port {port} is in use by pid 1 (init)");
        run.Pid1Signals.ShouldBeEmpty("pid 1 of the namespace got no signal");
        run.BystanderAlive.ShouldBeTrue("no kill(-1) reached the other processes of the namespace");
        run.ExitCode.ShouldBe(0, "the shell that ran pbdeploy was not killed either");
        File.Exists(dir.Combine("started")).ShouldBeFalse("no second copy was started next to pid 1");
    }

    [Fact(Timeout = 180_000)]
    public async Task A_pidfile_naming_pid_1_is_refused_by_stop_and_deploy_and_nothing_in_the_namespace_is_signalled()
    {
        using var dir = new TempDirectory();
        var pidfile = dir.Combine("run", "web.pid");
        Directory.CreateDirectory(dir.Combine("run"));
        var manifest = dir.Write("pbdeploy.json", """
            { "services": { "web": { "pidfile": "run/web.pid", "start": "touch {project_dir}/started", "stop_timeout": 1 } } }
            """);

        // Written inside the namespace, after its pid 1 started: to the old code a live pid, not a reused one.
        var run = await PidNamespace.RunAsync(dir, null, "/bin/sh", "-c",
            $"echo 1 > {pidfile}; {Tool} stop --manifest {manifest}; echo \"stop exit $?\"; {Tool} --manifest {manifest}; echo \"deploy exit $?\"");

        var refusal = $"pidfile {pidfile} names pid 1, which is init; pbdeploy will neither signal it nor start a second copy. Fix or remove the pidfile, then deploy again.";
        run.Stdout.ShouldContain($"web: FAILED in stop: {refusal}", Case.Sensitive, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("stop exit 1");
        run.Stdout.ShouldContain($"web: FAILED in start/restart: {refusal}");
        run.Stdout.ShouldContain("deploy exit 1");
        run.Pid1Signals.ShouldBeEmpty("pid 1 of the namespace got no signal");
        run.BystanderAlive.ShouldBeTrue("no kill(-1) reached the other processes of the namespace");
        File.Exists(dir.Combine("started")).ShouldBeFalse("no second copy was started");
    }

    [Theory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_blue_green_port_held_by_pid_1_is_never_signalled_by_deploy_leftover_stop_or_stop(bool laterCopyOnOtherPort)
    {
        // pid 1 of the namespace (group 1) listens on the first port, as if it were a copy: alone (the active copy a
        // deploy would replace), or with a copy started later on the second port (pid 1 then is the leftover a deploy
        // stops first). Neither a deploy nor a stop of both copies may signal pid 1 or group 1.
        using var dir = new TempDirectory($"blue-green-pid1-{laterCopyOnOtherPort}");
        var a = TestService.FreePort();
        var b = TestService.FreePort();
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "ports": [{{a}}, {{b}}], "start": "exec {{TestService.Python}} -m http.server {port} --bind 127.0.0.1", "daemonizes": false, "stop_timeout": 1, "start_timeout": 10 } } }
            """);
        var later = laterCopyOnOtherPort
            ? $"{TestService.Python} -m http.server {b} --bind 127.0.0.1 >/dev/null 2>&1 & sleep 2; "
            : "";

        var run = await PidNamespace.RunAsync(dir, a, "/bin/sh", "-c",
            $"{later}{Tool} --manifest {manifest}; echo \"deploy exit $?\"; {Tool} stop --manifest {manifest}; echo \"stop exit $?\"");

        run.Stdout.ShouldContain("deploy exit ", Case.Sensitive, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain(laterCopyOnOtherPort ? "stop exit 0" : "stop exit 1", Case.Sensitive, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("deploy exit 1", Case.Sensitive, "no new copy can start while pid 1 holds a port of the pair");
        (run.Stdout + run.Stderr).ShouldContain($"port {a} is in use by pid 1 (init); pbdeploy will neither signal it nor start a second copy.");
        run.Pid1Signals.ShouldBeEmpty("pid 1 of the namespace got no signal: " + run.Stdout + run.Stderr);
        run.BystanderAlive.ShouldBeTrue("no kill(-1) or kill(-group 1) reached the other processes of the namespace");
        run.ExitCode.ShouldBe(0, "the shell that ran pbdeploy was not killed either");
    }

    [Theory(Timeout = 180_000)]
    [InlineData("itself", "exec ", "pbdeploy itself")]
    [InlineData("its shell", "", "an ancestor of pbdeploy (sh: the shell, sudo, session, hook or CI step that runs it)")]
    public async Task A_pidfile_naming_pbdeploy_or_the_shell_that_runs_it_is_refused_and_nothing_is_signalled(string which, string exec, string what)
    {
        using var dir = new TempDirectory($"pidfile-naming-{which.Replace(' ', '-')}");
        var pidfile = dir.Combine("run", "web.pid");
        Directory.CreateDirectory(dir.Combine("run"));
        var manifest = dir.Write("pbdeploy.json", """
            { "services": { "web": { "pidfile": "run/web.pid", "start": "touch {project_dir}/started", "stop_timeout": 1 } } }
            """);

        // $$ is the shell; with exec, the shell becomes pbdeploy (same pid, same start time).
        var run = await PidNamespace.RunAsync(dir, null, "/bin/sh", "-c",
            $"echo $$ > {pidfile}; {exec}{Tool} stop --manifest {manifest}; echo \"the shell lives on, stop exit $?\"");

        var named = File.ReadAllText(pidfile).Trim();
        run.Stdout.ShouldContain(
            $"web: FAILED in stop: pidfile {pidfile} names pid {named}, which is {what}; pbdeploy will neither signal it nor start a second copy.", Case.Sensitive, run.Stdout + run.Stderr);
        if (exec.Length > 0)
        {
            run.ExitCode.ShouldBe(1, "pbdeploy exited 1, not by a signal of its own");
        }
        else
        {
            run.Stdout.ShouldContain("the shell lives on, stop exit 1");
        }

        run.Pid1Signals.ShouldBeEmpty();
        run.BystanderAlive.ShouldBeTrue();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_pidfile_naming_a_kernel_thread_is_refused_by_stop_and_deploy()
    {
        if (KernelThreads.AnyVisible() is not { } thread)
        {
            return; // none is visible in this PID namespace (CI runs the tests in one of its own): none can be named
        }

        using var dir = new TempDirectory();
        var pidfile = dir.Write("run/web.pid", $"{thread}\n");
        var manifest = dir.Write("pbdeploy.json", """
            { "services": { "web": { "pidfile": "run/web.pid", "start": "touch {project_dir}/started", "stop_timeout": 1 } } }
            """);
        var name = File.ReadAllText($"/proc/{thread}/comm").Trim();

        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);

        var refusal = $"pidfile {pidfile} names pid {thread}, which is a kernel thread ({name}); pbdeploy will neither signal it nor start a second copy. Fix or remove the pidfile, then deploy again.";
        stop.ExitCode.ShouldBe(1, stop.Stdout + stop.Stderr);
        stop.Stdout.ShouldContain($"web: FAILED in stop: {refusal}");
        deploy.ExitCode.ShouldBe(1, deploy.Stdout + deploy.Stderr);
        deploy.Stdout.ShouldContain($"web: FAILED in start/restart: {refusal}");
        File.Exists(dir.Combine("started")).ShouldBeFalse();
        Signals.Describe(thread).ShouldNotBeNull().IsKernelThread.ShouldBeTrue();
    }
}
