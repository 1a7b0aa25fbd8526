using System.Diagnostics;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// The contract of the tool itself, attacked with the real process: another user's manifest, closed and full output,
/// bad option values, values that are shell.
/// </summary>
public sealed class ContractTests
{
    private static readonly string[] AsNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

    [Fact(Timeout = 120_000)]
    public async Task A_manifest_another_user_wrote_in_a_shared_parent_folder_is_refused_and_none_of_its_commands_run()
    {
        using var dir = new TempDirectory();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("1777", 8)); // a shared folder, as /tmp or /srv/shared
        var project = dir.Combine("project");
        Directory.CreateDirectory(project); // root's own project, without a manifest of its own
        var manifest = dir.Combine("pbdeploy.json");
        var json = $$"""{ "services": { "web": { "port": {{TestService.FreePort()}}, "start": "true", "start_timeout": 1, "before": "touch {{dir.Path}}/pwned" } } }""";
        await RunAsync(AsNobody, "sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh", json, manifest); // written by nobody

        var refused = await Pbdeploy.RunProcessAsync(dir, project, [], "deploy");
        var trusted = await Pbdeploy.RunProcessAsync(dir, project, ["env", "PBDEPLOY_TRUSTED_OWNERS=65534"], "deploy");

        refused.ExitCode.ShouldBe(2, refused.Stdout + refused.Stderr);
        refused.Stdout.ShouldBeEmpty();
        refused.Stderr.ShouldBe(
            $"pbdeploy: error: manifest {manifest} belongs to uid 65534 (nobody), not to you (root), so it could make you run anything; " +
            $"if you trust that user, set PBDEPLOY_TRUSTED_OWNERS=65534 or PBDEPLOY_ALLOW_MANIFEST={manifest}\n");
        trusted.Stdout.ShouldStartWith($"manifest: {manifest}\n", Case.Sensitive, "the control: trusted, the same manifest runs, and says which it is");
        File.Exists(dir.Combine("pwned")).ShouldBeTrue("the control ran the before command, so the refusal above is what kept it from running");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_manifest_in_a_folder_every_user_can_write_is_refused_even_if_root_wrote_it()
    {
        using var dir = new TempDirectory();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("777", 8)); // not sticky: anyone can swap the file
        var manifest = dir.Write("pbdeploy.json", $$"""{ "services": { "web": { "port": {{TestService.FreePort()}}, "start": "true", "before": "touch {{dir.Path}}/pwned" } } }""");

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "deploy");

        result.ExitCode.ShouldBe(2, result.Stdout + result.Stderr);
        result.Stderr.ShouldStartWith($"pbdeploy: error: manifest {manifest} is in the folder {dir.Path}, which every user can write and is not sticky (mode 0777)");
        File.Exists(dir.Combine("pwned")).ShouldBeFalse();
    }

    [Theory(Timeout = 60_000)]
    [InlineData("fifo")]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public async Task A_special_file_as_manifest_is_refused_at_once(string kind)
    {
        using var dir = new TempDirectory();
        var path = kind;
        if (kind == "fifo")
        {
            path = dir.Combine("pbdeploy.json");
            await RunAsync([], "mkfifo", path);
        }

        var clock = Stopwatch.StartNew();
        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "status", "--manifest", path);

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        result.ExitCode.ShouldBe(2, result.Stdout + result.Stderr);
        result.Stderr.ShouldBe($"pbdeploy: error: manifest {path} is a {(kind == "fifo" ? "FIFO (named pipe)" : "character device")}, not a regular file; pass the path of the pbdeploy.json file\n");
    }

    [Fact(Timeout = 60_000)]
    public async Task Every_run_names_its_manifest_first_on_stdout_or_on_stderr_when_stdout_is_json()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", $$"""{ "services": { "web": { "port": {{TestService.FreePort()}}, "start": "true" } } }""");

        var status = await Pbdeploy.RunAsync("status", "--manifest", manifest);
        var json = await Pbdeploy.RunAsync("status", "--json", "--manifest", manifest);
        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        status.Stdout.ShouldStartWith($"manifest: {manifest}\n");
        json.Stdout.ShouldStartWith("[");
        json.Stderr.ShouldBe($"pbdeploy: manifest: {manifest}\n");
        stop.Stdout.ShouldStartWith($"manifest: {manifest}\n");
    }

    public static TheoryData<string, string> ClosedAndFullOutput => new()
    {
        { "status >&-", "0" },
        { "status 2>&- >&-", "0" },
        { "status --json >&-", "0" },
        { "status 2>&-", "0" },
        { "status 2>/dev/full", "0" },
        { "status >/dev/full", "1 pbdeploy: error: the output could not be written to stdout (No space left on device); the run itself finished, run pbdeploy status to see the state." },
        { "status --json >/dev/full", "1 pbdeploy: manifest: {manifest}\npbdeploy: error: the output could not be written to stdout (No space left on device); the run itself finished, run pbdeploy status to see the state." },
        { "status | true", "0" },
        { "status nope >&-", "2 pbdeploy: error: {manifest}: there is no service 'nope'; the services are: web." },
        { "status nope 2>&-", "2" },
        { "--lock-timeout abc >&- 2>&-", "2" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(ClosedAndFullOutput))]
    public async Task Closed_or_full_output_never_crashes_and_the_exit_code_is_what_the_work_gave(string command, string expected)
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", $$"""{ "services": { "web": { "port": {{TestService.FreePort()}}, "start": "true" } } }""");
        var stderr = dir.Combine("stderr.txt");

        // Redirections after the tool's own: "2>&-" closes the stderr the test would read, so it is read only when left open.
        var (code, _) = await RunAsync([], "bash", "-c", $"cd \"$1\" && {{ dotnet \"$0\" {command}; }} 2>>\"$2\"; exit ${{PIPESTATUS[0]}}", Pbdeploy.ToolDll, dir.Path, stderr);

        var (expectedCode, expectedError) = (expected[..1], expected.Length > 2 ? expected[2..].Replace("{manifest}", manifest, StringComparison.Ordinal) : null);
        var errors = File.ReadAllText(stderr);
        code.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(expectedCode, errors);
        errors.ShouldNotContain("   at ");
        errors.ShouldNotContain("Exception");
        errors.ShouldNotContain("internal error");
        if (expectedError is not null)
        {
            errors.ShouldBe(expectedError + "\n");
        }
    }

    /// <summary>
    /// With stdout and stderr both closed, the .NET runtime's own signal pipe gets descriptors 1 and 2 before Main, so
    /// they look open: pbdeploy wrote its error into that pipe (seen with strace), where the runtime reads signal numbers.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task With_stdout_and_stderr_both_closed_nothing_is_written_into_the_runtimes_pipe_that_took_their_descriptors()
    {
        if (!File.Exists("/usr/bin/strace"))
        {
            return; // the only way to see where the bytes go; the CI image has it
        }

        using var dir = new TempDirectory();
        var trace = dir.Combine("trace.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in (string[])["-c", "exec \"$@\" </dev/null >&- 2>&-", "sh", "/usr/bin/strace", "-f", "-e", "trace=write", "-o", trace,
            "dotnet", Pbdeploy.ToolDll, "status", "-m", dir.Combine("none.json")])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();

        process.ExitCode.ShouldBe(2);
        File.ReadAllText(trace).ShouldNotContain("pbdeploy: error");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_deploy_with_stdout_closed_deploys_and_exits_0_and_with_stderr_closed_a_failure_still_exits_1()
    {
        using var dir = new TempDirectory();
        File.Copy(TestService.Script, dir.Combine("testservice.py"));
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        dir.Write("pbdeploy.json", $$"""
            { "services": {
                "web": { "port": {{port}}, "start": "exec python3 {project_dir}/testservice.py --port {port}", "daemonizes": false, "stop_timeout": 5 },
                "bad": { "port": {{TestService.FreePort()}}, "start": "echo broken; exit 3", "depends_on": ["web"] }
            } }
            """);

        var (closed, _) = await RunAsync([], "bash", "-c", "cd \"$1\" && exec dotnet \"$0\" web >&-", Pbdeploy.ToolDll, dir.Path);
        var owner = new ProcessFinder().FindPortOwner(port);
        var (failed, _) = await RunAsync([], "bash", "-c", "cd \"$1\" && exec dotnet \"$0\" 2>&- >&-", Pbdeploy.ToolDll, dir.Path);
        var (stopped, _) = await RunAsync([], "bash", "-c", "cd \"$1\" && exec dotnet \"$0\" stop >&- 2>&-", Pbdeploy.ToolDll, dir.Path);

        closed.ShouldBe(0);
        owner.State.ShouldBe(ServiceState.Running, "a closed stdout is no reason for a deploy to fail or stop halfway");
        failed.ShouldBe(1);
        stopped.ShouldBe(0);
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--lock-timeout|abc", "--lock-timeout must be a number of seconds from 0 to 86400, got 'abc'")]
    [InlineData("--lock-timeout|-1", "--lock-timeout must be a number of seconds from 0 to 86400, got '-1'")]
    [InlineData("--lock-timeout|86401", "--lock-timeout must be a number of seconds from 0 to 86400, got '86401'")]
    [InlineData("--lock-timeout|NaN", "--lock-timeout must be a number of seconds from 0 to 86400, got 'NaN'")]
    [InlineData("--lock-timeout|Infinity", "--lock-timeout must be a number of seconds from 0 to 86400, got 'Infinity'")]
    [InlineData("--lock-timeout|1e400", "--lock-timeout must be a number of seconds from 0 to 86400, got '1e400'")]
    [InlineData("--lock-timeout|", "--lock-timeout must be a number of seconds from 0 to 86400, got ''")]
    [InlineData("deploy|--lock-timeout|10s", "--lock-timeout must be a number of seconds from 0 to 86400, got '10s'")]
    [InlineData("stop|--lock-timeout|abc", "--lock-timeout must be a number of seconds from 0 to 86400, got 'abc'")]
    [InlineData("stop|--lock-timeout|-0.5", "--lock-timeout must be a number of seconds from 0 to 86400, got '-0.5'")]
    [InlineData("--lock-timeout", "Required argument missing for option: '--lock-timeout'.")]
    [InlineData("--manifest|", "--manifest must be a path, got ''")]
    [InlineData("-m| ", "--manifest must be a path, got ' '")]
    [InlineData("status|--manifest|", "--manifest must be a path, got ''")]
    [InlineData("render|-m|", "--manifest must be a path, got ''")]
    [InlineData("--manifest", "Required argument missing for option: '--manifest'.")]
    [InlineData("import|", "the settings file must be a path, got ''")]
    [InlineData("import|--output|", "--output must be a path, got ''")]
    [InlineData("import|-o| ", "--output must be a path, got ' '")]
    [InlineData("import|-o", "Required argument missing for option: '-o'.")]
    public async Task Every_bad_option_value_exits_2_with_one_line_and_does_nothing(string args, string expected)
    {
        var result = await Pbdeploy.RunAsync(args.Split('|')); // '|' separates the arguments, so one may be empty or blank

        result.ExitCode.ShouldBe(2, result.Stdout + result.Stderr);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe($"pbdeploy: error: {expected} (see pbdeploy --help)\n");
    }

    [Theory(Timeout = 120_000)]
    [InlineData("a; touch pwned")]
    [InlineData("$(touch pwned)")]
    [InlineData("`touch pwned`")]
    [InlineData("it's \"quoted\"")]
    [InlineData("two  spaces and\ttab")]
    [InlineData("line one\nline two; touch pwned")]
    [InlineData("")]
    [InlineData("'; touch pwned; '")]
    [InlineData("\\'$HOME\\")]
    public async Task A_q_reference_in_a_command_arrives_as_one_literal_argument_and_runs_nothing(string value)
    {
        using var dir = new TempDirectory();
        File.Copy(TestService.Script, dir.Combine("testservice.py"));
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "env": { "X": {{System.Text.Json.JsonSerializer.Serialize(value)}} },
              "services": { "web": { "port": {{port}}, "start": "exec python3 {project_dir}/testservice.py --port {port}", "daemonizes": false, "stop_timeout": 5,
                "before": ["printf '%s\\n' {env.X:q} > {project_dir}/out", "printf '%s|' {env.X:q} > {project_dir}/words"] } } }
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);
        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        File.ReadAllText(dir.Combine("out")).ShouldBe(value + "\n");
        File.ReadAllText(dir.Combine("words")).ShouldBe(value + "|", "one argument, not split into words");
        File.Exists(dir.Combine("pwned")).ShouldBeFalse();
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
    }

    [Fact(Timeout = 120_000)]
    public async Task Without_q_a_value_is_shell_as_the_docs_say()
    {
        using var dir = new TempDirectory();
        File.Copy(TestService.Script, dir.Combine("testservice.py"));
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "env": { "X": "a; touch {{dir.Path}}/ran" },
              "services": { "web": { "port": {{port}}, "start": "exec python3 {project_dir}/testservice.py --port {port}", "daemonizes": false, "stop_timeout": 5,
                "before": "echo {env.X}" } } }
            """);

        var result = await Pbdeploy.RunAsync("--manifest", manifest);
        _ = await Pbdeploy.RunAsync("stop", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        File.Exists(dir.Combine("ran")).ShouldBeTrue("the value is inserted as it is: the reason {env.X:q} exists");
    }

    /// <summary>Runs a program behind <paramref name="prefix"/> without pipes (output to /dev/null); returns its exit code.</summary>
    private static async Task<(int Code, string Error)> RunAsync(string[] prefix, string program, params string[] args)
    {
        var start = new ProcessStartInfo(prefix.Length > 0 ? prefix[0] : program) { UseShellExecute = false };
        foreach (var arg in (string[])[.. prefix.Skip(1), .. prefix.Length > 0 ? [program] : Array.Empty<string>(), .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, "");
    }
}
