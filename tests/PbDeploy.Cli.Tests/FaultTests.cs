using System.Diagnostics;
using System.Runtime.InteropServices;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// Faults met by the real tool, run as a real process where the process matters (signals, another user): each asserts
/// the exit code, the message, and that nothing was started, signalled, half-written or left behind.
/// </summary>
public sealed class FaultTests
{
    private static readonly string[] AsNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

    /// <summary>A project folder nobody (uid 65534) can use: it can read everything and write the folder itself.</summary>
    private static TempDirectory NobodyProject([System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        var dir = new TempDirectory(name);
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("1777", 8));
        File.Copy(TestService.Script, dir.Combine("testservice.py"));
        return dir;
    }

    private static string Server(string extra = "") =>
        $"\"start\": \"exec python3 {{project_dir}}/testservice.py --port {{port}}\", \"daemonizes\": false, \"stop_timeout\": 5{extra}";

    [Fact(Timeout = 120_000)]
    public async Task A_port_held_by_a_process_pbdeploy_cannot_see_fails_deploy_and_stop_naming_the_port_and_its_uid_and_touches_nothing()
    {
        using var dir = NobodyProject();
        using var rootService = await TestService.StartAsync(dir);
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{rootService.Port}}, {{Server(", \"restart\": \"kill {pid}\", \"before\": \"touch {project_dir}/before-ran\"")}} } } }
            """);

        var deploy = await Pbdeploy.RunProcessAsync(dir, dir.Path, AsNobody, "deploy", "--manifest", manifest);
        var stop = await Pbdeploy.RunProcessAsync(dir, dir.Path, AsNobody, "stop", "--manifest", manifest);

        var refusal = $"port {rootService.Port} listens, but its process cannot be seen (the socket belongs to uid 0); " +
            "pbdeploy will not start a second copy nor signal a process it cannot see. Stop it yourself, or run pbdeploy as its user.";
        deploy.ExitCode.ShouldBe(1, deploy.Stdout + deploy.Stderr);
        deploy.Stdout.ShouldContain($"web: FAILED in before: {refusal}");
        deploy.Stdout.ShouldNotContain("web: skipped", Case.Insensitive, "a failed step ends the pipeline: no rows for the steps after it");
        deploy.Stderr.ShouldContain(": web failed in before; see above.");
        stop.ExitCode.ShouldBe(1, stop.Stdout + stop.Stderr);
        stop.Stdout.ShouldContain($"web: FAILED in stop: {refusal}");
        File.Exists(dir.Combine("before-ran")).ShouldBeFalse("nothing is prepared for a service that can be neither started nor restarted");
        Directory.Exists(dir.Combine(".pbdeploy")).ShouldBeFalse("nothing was started");
        var owner = new ProcessFinder().FindPortOwner(rootService.Port);
        owner.Pid.ShouldBe(rootService.Pid, "the root listener was neither signalled nor replaced");
        owner.Pids.ShouldBe([rootService.Pid]);
        Signals.Describe(rootService.Pid).ShouldNotBeNull().IsZombie.ShouldBeFalse();
    }

    [Theory(Timeout = 120_000)]
    [InlineData(2, "SIGINT")]
    [InlineData(15, "SIGTERM")]
    [InlineData(1, "SIGHUP")]
    public async Task An_interrupted_pbdeploy_exits_1_promptly_says_what_was_done_and_leaves_no_child_nor_temporary_file(int signal, string name)
    {
        using var dir = new TempDirectory($"interrupt-{name}");
        var port = TestService.FreePort();
        var dbPort = TestService.FreePort();
        using var cleanup = new PortCleanup(port, dbPort);
        var beforePid = dir.Combine("before.pid");
        // db is deployed whole (before, start, ready) before web's pipeline begins: it must become ready.
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": {
                "db": { "port": {{dbPort}}, "start": "exec {{TestService.Python}} {{TestService.Script}} --port {port}", "daemonizes": false, "before": "echo db prepared" },
                "web": { "port": {{port}}, "start": "exec sleep 1", "daemonizes": false, "depends_on": ["db"],
                         "before": "echo preparing {project_dir}; echo $$ > {project_dir}/before.pid.tmp; mv {project_dir}/before.pid.tmp {project_dir}/before.pid; sleep 300; touch {project_dir}/not-reached" }
            } }
            """);
        var stdout = dir.Combine("stdout.txt");
        var stderr = dir.Combine("stderr.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = dir.Path };
        foreach (var arg in (string[])["-c", "exec dotnet \"$0\" --manifest \"$1\" </dev/null >\"$2\" 2>\"$3\"", Pbdeploy.ToolDll, manifest, stdout, stderr])
        {
            start.ArgumentList.Add(arg);
        }

        using var tool = Process.Start(start)!;
        var group = 0;
        try
        {
            await Wait.Until(() => File.Exists(beforePid) || tool.HasExited, TimeSpan.FromSeconds(60), "the before command");
            tool.HasExited.ShouldBeFalse(File.ReadAllText(stdout) + File.ReadAllText(stderr));
            group = int.Parse(File.ReadAllText(beforePid).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            ProcessGroups.IsGone(group).ShouldBeFalse("the before command's group runs");

            var clock = Stopwatch.StartNew();
            Kill(tool.Id, signal).ShouldBe(0);
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await tool.WaitForExitAsync(timeout.Token);
            }

            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
            var output = File.ReadAllText(stdout);
            var errors = File.ReadAllText(stderr);
            tool.ExitCode.ShouldBe(1, output + errors);
            output.ShouldContain("web: FAILED in before: interrupted while it ran: the step was stopped before it finished");
            output.ShouldContain("db: before done");
            errors.ShouldContain("pbdeploy: error: interrupted: the steps that were running were stopped and nothing more was run; the lines above say what was done.");
            errors.ShouldNotContain("   at ");
            File.Exists(dir.Combine("not-reached")).ShouldBeFalse();
            await Wait.Until(() => ProcessGroups.IsGone(group), TimeSpan.FromSeconds(5), "the before command's process group to be gone");
            Directory.GetFiles(dir.Combine(".pbdeploy")).ShouldBeEmpty("the run's temporary output file was deleted");
            new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
        }
        finally
        {
            if (!tool.HasExited)
            {
                tool.Kill();
            }

            if (group > 0)
            {
                _ = Kill(-group, 9);
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task SIGUSR1_SIGUSR2_and_SIGPIPE_neither_kill_pbdeploy_nor_stop_its_deploy()
    {
        using var dir = new TempDirectory();
        File.Copy(TestService.Script, dir.Combine("testservice.py"));
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, "start": "exec python3 {project_dir}/testservice.py --port {port}", "daemonizes": false, "stop_timeout": 5,
                "before": "touch {project_dir}/waiting; while [ ! -e {project_dir}/go ]; do sleep 0.1; done; echo before done" } } }
            """);
        var stdout = dir.Combine("stdout.txt");
        var stderr = dir.Combine("stderr.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = dir.Path };
        foreach (var arg in (string[])["-c", "exec dotnet \"$0\" --manifest \"$1\" </dev/null >\"$2\" 2>\"$3\"", Pbdeploy.ToolDll, manifest, stdout, stderr])
        {
            start.ArgumentList.Add(arg);
        }

        using var tool = Process.Start(start)!;
        try
        {
            await Wait.Until(() => File.Exists(dir.Combine("waiting")) || tool.HasExited, TimeSpan.FromSeconds(60), "the before command");
            foreach (var signal in (int[])[10, 12, 13])
            {
                Kill(tool.Id, signal).ShouldBe(0);
                await Task.Delay(300);
            }

            tool.HasExited.ShouldBeFalse(File.ReadAllText(stdout) + File.ReadAllText(stderr));
            File.WriteAllText(dir.Combine("go"), "");
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await tool.WaitForExitAsync(timeout.Token);
            }

            var errors = File.ReadAllText(stderr);
            tool.ExitCode.ShouldBe(0, File.ReadAllText(stdout) + errors);
            File.ReadAllText(stdout).ShouldContain("web: started");
            errors.ShouldContain("pbdeploy: warning: SIGUSR1 ignored; send SIGTERM or SIGINT to stop pbdeploy");
            errors.ShouldContain("pbdeploy: warning: SIGUSR2 ignored; send SIGTERM or SIGINT to stop pbdeploy");
            (await Pbdeploy.RunAsync("stop", "--manifest", manifest)).ExitCode.ShouldBe(0);
        }
        finally
        {
            if (!tool.HasExited)
            {
                tool.Kill();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_template_folder_this_user_cannot_write_fails_the_service_in_one_line_keeps_the_old_file_and_starts_nothing()
    {
        using var dir = NobodyProject();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        dir.Write("app.conf.template", "listen {port}\n");
        var locked = dir.Combine("locked");
        var old = dir.Write("locked/app.conf", "old\n"); // root's folder, mode 0755: nobody cannot write there
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, {{Server(", \"templates\": [{ \"source\": \"app.conf.template\", \"target\": \"locked/app.conf\" }]")}} } } }
            """);

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, AsNobody, "--manifest", manifest);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain(
            $"web: FAILED in start/restart: {old}: cannot write the rendered template app.conf.template of service 'web': permission denied in {locked}; " +
            "make the folder writable for this user, or choose another target");
        result.Stderr.Trim().ShouldMatch(@"^pbdeploy: error: deploy failed in \d+\.\d s: web failed in start/restart; see above\.$");
        Directory.GetFileSystemEntries(locked).ShouldBe([old], "no temporary file is left");
        File.ReadAllText(old).ShouldBe("old\n");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_render_into_a_folder_this_user_cannot_write_is_a_failure_of_the_machine_exit_1_not_bad_input()
    {
        using var dir = NobodyProject();
        dir.Write("app.conf.template", "listen {port}\n");
        var locked = dir.Combine("locked");
        var old = dir.Write("locked/app.conf", "old\n"); // root's folder, mode 0755: nobody cannot write there
        var manifest = dir.Write("pbdeploy.json", """
            { "services": { "web": { "port": 8080, "start": "true", "templates": [{ "source": "app.conf.template", "target": "locked/app.conf" }] } } }
            """);

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, AsNobody, "render", "--manifest", manifest);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr); // the manifest is right; this user may not write there
        result.Stderr.Trim().ShouldBe(
            $"pbdeploy: error: {old}: cannot write the rendered template app.conf.template of service 'web': permission denied in {locked}; " +
            $"make the folder writable for this user, or choose another target ({manifest}:1:71).");
        File.ReadAllText(old).ShouldBe("old\n");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_template_target_under_a_regular_file_fails_with_a_line_that_says_so()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        dir.Write("app.conf.template", "listen {port}\n");
        var file = dir.Write("conf", "a file where a folder should be");
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, "start": "exec sleep 60", "daemonizes": false, "templates": [{ "source": "app.conf.template", "target": "conf/sub/app.conf" }] } } }
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain(
            $"web: FAILED in start/restart: {dir.Combine("conf", "sub", "app.conf")}: cannot write the rendered template app.conf.template of service 'web': " +
            $"{file} is a file, not a folder; fix the target ({manifest}:1:");
        Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order().ShouldBe(["app.conf.template", "conf", "pbdeploy.json"]);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("locked/web.log", "cannot open the log {dir}/locked/web.log: Permission denied; make its folder writable for this user, or set 'log' to another file.")]
    [InlineData("locked/logs/web.log", "cannot create the folder {dir}/locked/logs for the log {dir}/locked/logs/web.log: permission denied; create the folder, writable for this user, or set 'log' to another file.")]
    public async Task A_log_this_user_cannot_write_fails_the_service_in_one_line_and_starts_nothing(string log, string expected)
    {
        using var dir = NobodyProject($"log-{log.Count(c => c == '/')}");
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        Directory.CreateDirectory(dir.Combine("locked")); // root's folder, mode 0755
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, {{Server($", \"log\": \"{log}\"")}} } } }
            """);

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, AsNobody, "--manifest", manifest);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain($"web: FAILED in start/restart: {expected.Replace("{dir}", dir.Path, StringComparison.Ordinal)}");
        result.Stderr.Trim().ShouldMatch(@"^pbdeploy: error: deploy failed in \d+\.\d s: web failed in start/restart; see above\.$");
        Directory.GetFileSystemEntries(dir.Combine("locked")).ShouldBeEmpty();
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_log_under_a_regular_file_fails_the_service_in_one_line_not_with_an_internal_error()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var file = dir.Write("logs", "a file where a folder should be");
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, "start": "exec sleep 60", "daemonizes": false, "log": "logs/web/web.log" } } }
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain($"web: FAILED in start/restart: cannot create the folder {file}/web for the log {file}/web/web.log: ");
        result.Stdout.ShouldContain("create the folder, writable for this user, or set 'log' to another file.");
        result.Stderr.Trim().ShouldMatch(@"^pbdeploy: error: deploy failed in \d+\.\d s: web failed in start/restart; see above\.$");
        File.ReadAllText(file).ShouldBe("a file where a folder should be");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_full_disk_fails_the_template_write_in_one_line_and_keeps_the_old_target_whole()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var full = dir.Combine("full");
        Directory.CreateDirectory(full);
        var mount = await RunAsync("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", full);
        mount.ShouldBe("", "a 64 KiB tmpfs is the full disk of this test (it needs root and CAP_SYS_ADMIN, as in CI)");
        try
        {
            var old = dir.Write("full/app.conf", "old\n");
            dir.Write("full/filler", new string('x', 44 * 1024)); // leaves about 12 KiB
            dir.Write("app.conf.template", "listen {port}\n" + new string('#', 40 * 1024) + "\n");
            var manifest = dir.Write("pbdeploy.json", $$"""
                { "services": { "web": { "port": {{port}}, "start": "exec sleep 60", "daemonizes": false, "templates": [{ "source": "app.conf.template", "target": "full/app.conf" }] } } }
                """);

            var result = await Pbdeploy.RunAsync("--manifest", manifest);

            result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
            result.Stdout.ShouldContain($"web: FAILED in start/restart: {old}: cannot write the rendered template app.conf.template of service 'web': No space left on device");
            File.ReadAllText(old).ShouldBe("old\n");
            Directory.GetFileSystemEntries(full).Select(Path.GetFileName).Order().ToArray().ShouldBe(["app.conf", "filler"], "no temporary file is left");
            new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
        }
        finally
        {
            (await RunAsync("umount", full)).ShouldBe("");
        }
    }

    [Theory(Timeout = 120_000)]
    [InlineData("empty", "", "is empty; treating the service as stopped")]
    [InlineData("garbage", "not a pid\n", "holds no pid ('not a pid'); treating the service as stopped")]
    [InlineData("negative", "-5\n", "holds no pid ('-5'); treating the service as stopped")]
    [InlineData("dead", "999999999\n", "names pid 999999999, which is not running; treating the service as stopped")]
    [InlineData("unreadable", null, "treating the service as stopped")]
    public async Task A_bad_pidfile_in_a_deploy_is_stopped_with_a_warning_and_the_service_starts(string name, string? content, string warning)
    {
        using var dir = new TempDirectory($"pidfile-{name}");
        var pidfile = dir.Combine("run", "web.pid");
        if (content is null)
        {
            Directory.CreateDirectory(pidfile); // a folder where the pidfile should be: it cannot be read
        }
        else
        {
            dir.Write("run/web.pid", content);
        }

        File.Copy(TestService.Script, dir.Combine("testservice.py"));
        var manifest = dir.Write("pbdeploy.json", """
            { "services": { "web": { "pidfile": "run/web.pid", "start": "rm -rf {project_dir}/run/web.pid; exec python3 {project_dir}/testservice.py --port 0 --pidfile {project_dir}/run/web.pid", "daemonizes": false, "stop_timeout": 5 } } }
            """);
        var started = 0;
        try
        {
            var result = await Pbdeploy.RunAsync("--manifest", manifest);

            result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
            result.Stderr.ShouldContain($"pbdeploy: warning: web: ");
            result.Stderr.ShouldContain(warning);
            started = int.Parse(File.ReadAllText(pidfile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            result.Stdout.ShouldContain($"web: started, pid {started}");
            (await Pbdeploy.RunAsync("stop", "--manifest", manifest)).ExitCode.ShouldBe(0);
            await Wait.Until(() => Signals.Describe(started) is not { IsZombie: false }, TimeSpan.FromSeconds(10), "the started service to stop");
        }
        finally
        {
            if (started > 0 && Signals.Describe(started) is { } left)
            {
                _ = Signals.Send(left, Signals.Kill);
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_pidfile_naming_a_reused_pid_starts_the_service_and_leaves_that_process_untouched()
    {
        using var dir = new TempDirectory();
        using var unrelated = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        var pidfile = dir.Write("run/web.pid", $"{unrelated.Id}\n");
        File.SetLastWriteTimeUtc(pidfile, DateTime.UtcNow - TimeSpan.FromHours(1)); // written long before that process started
        File.Copy(TestService.Script, dir.Combine("testservice.py"));
        var manifest = dir.Write("pbdeploy.json", """
            { "services": { "web": { "pidfile": "run/web.pid", "start": "exec python3 {project_dir}/testservice.py --port 0 --pidfile {project_dir}/run/web.pid", "restart": "kill {pid}", "daemonizes": false, "stop_timeout": 5 } } }
            """);
        var started = 0;
        try
        {
            var deploy = await Pbdeploy.RunAsync("--manifest", manifest);

            deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
            deploy.Stderr.ShouldContain($"pbdeploy: warning: web: pidfile {pidfile} names pid {unrelated.Id}, but that process started ");
            deploy.Stderr.ShouldContain("the pid was reused by another process; treating the service as stopped");
            started = int.Parse(File.ReadAllText(pidfile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            started.ShouldNotBe(unrelated.Id);
            deploy.Stdout.ShouldContain($"web: started, pid {started}");
            var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
            stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
            stop.Stdout.ShouldContain($"web: stopped, pid {started}");
            unrelated.HasExited.ShouldBeFalse("the process that reused the pid was never signalled");
            Signals.Describe(unrelated.Id).ShouldNotBeNull().IsZombie.ShouldBeFalse();
        }
        finally
        {
            unrelated.Kill();
            if (started > 0 && Signals.Describe(started) is { } left)
            {
                _ = Signals.Send(left, Signals.Kill);
            }
        }
    }

    /// <summary>Runs a command; returns its stderr (empty on success) or its exit code and stderr.</summary>
    private static async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? "" : $"{program} exited with {process.ExitCode}: {error}";
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
