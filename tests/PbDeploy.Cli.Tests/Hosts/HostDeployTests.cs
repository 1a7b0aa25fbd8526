using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests.Hosts;

/// <summary>
/// pbdeploy over hosts, against real sshds in network namespaces (<see cref="SshHosts"/>): every host serves the same
/// port on its own 127.0.0.1, the local pbdeploy drives each host's pbdeploy over ssh and renders its events.
/// </summary>
[Collection(HostsCollection.Name)]
public sealed class HostDeployTests : IDisposable
{
    private readonly SshHosts _hosts;
    private readonly TempDirectory _dir = new();
    private readonly int _port = TestService.FreePort();
    private readonly int _otherPort = TestService.FreePort();

    public HostDeployTests(SshHosts hosts)
    {
        _hosts = hosts;
        Environment.SetEnvironmentVariable("PBDEPLOY_SSH_COMMAND", SshHosts.Unavailable ? null : hosts.SshCommand);
    }

    public void Dispose()
    {
        // Whatever a failed test left serving in a namespace, by pid.
        _hosts.StopServing(_hosts.Names.Append(SshHosts.Down), _port, _otherPort);
        _dir.Dispose();
    }

    [HostsFact(Timeout = 120_000)]
    public async Task Deploys_to_two_hosts_each_serving_the_same_port_in_its_own_namespace_then_shows_and_stops_them()
    {
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"), ("web2", "web2"));

        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);

        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        deploy.Stdout.ShouldContain("web1: app: started");
        deploy.Stdout.ShouldContain("web2: app: started");
        deploy.Stdout.ShouldContain("deploy: 2 hosts done");
        deploy.Stdout.ShouldMatch(@"\| host +\| result +\| services +\| time +\|");
        deploy.Stdout.ShouldMatch(@"\| web1 +\| ok +\| app started +\|");
        (await _hosts.ListensAsync("web1", _port)).ShouldBeTrue("web1 serves the port in its namespace");
        (await _hosts.ListensAsync("web2", _port)).ShouldBeTrue("web2 serves the port in its namespace");
        TestService.IsFree(_port).ShouldBeTrue("nothing was started on this machine");

        var table = await Pbdeploy.RunAsync("status", "--manifest", manifest);
        table.ExitCode.ShouldBe(0, table.Stderr);
        table.Stdout.ShouldMatch(@"\| web1 +\| app +\| \d+ +\| running +\| \d+");
        table.Stdout.ShouldMatch(@"\| web2 +\| app +\| \d+ +\| running +\| \d+");

        var json = await Pbdeploy.RunAsync("status", "--json", "--manifest", manifest);
        json.ExitCode.ShouldBe(0, json.Stderr);
        using (var rows = JsonDocument.Parse(json.Stdout))
        {
            rows.RootElement.EnumerateArray().Select(r => (r.GetProperty("host").GetString(), r.GetProperty("name").GetString(), r.GetProperty("state").GetString()))
                .ShouldBe([("web1", "app", "running"), ("web2", "app", "running")]);
        }

        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        stop.Stdout.ShouldContain("web1: app: stopped");
        (await _hosts.ListensAsync("web1", _port)).ShouldBeFalse();
        (await _hosts.ListensAsync("web2", _port)).ShouldBeFalse();
    }

    /// <summary>Blue-green over hosts: the remote's switch comes back as an event, and the remote status says which port is active.</summary>
    [HostsFact(Timeout = 120_000)]
    public async Task A_blue_green_service_moves_to_its_other_port_on_every_host_and_status_shows_the_active_one()
    {
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"), ("web2", "web2"));
        foreach (var file in new[] { manifest, HostManifest("web1"), HostManifest("web2") })
        {
            Edit(file, json =>
            {
                var app = json["services"]!["app"]!.AsObject();
                _ = app.Remove("port");
                app["ports"] = new JsonArray(_port, _otherPort);
            });
        }

        var first = await Pbdeploy.RunAsync("--manifest", manifest);
        first.ExitCode.ShouldBe(0, first.Stdout + first.Stderr);
        (await _hosts.ListensAsync("web1", _port)).ShouldBeTrue("a first deploy uses the first port");

        var second = await Pbdeploy.RunAsync("--manifest", manifest);

        second.ExitCode.ShouldBe(0, second.Stdout + second.Stderr);
        foreach (var host in new[] { "web1", "web2" })
        {
            second.Stdout.ShouldContain($"{host}: app: new copy ready on port {_otherPort}; stopping the copy on port {_port}");
            (await _hosts.ListensAsync(host, _otherPort)).ShouldBeTrue($"{host} serves the new copy");
            (await _hosts.ListensAsync(host, _port)).ShouldBeFalse($"{host}'s old copy is stopped");
        }

        var json = await Pbdeploy.RunAsync("status", "--json", "--manifest", manifest);
        json.ExitCode.ShouldBe(0, json.Stderr);
        using (var rows = JsonDocument.Parse(json.Stdout))
        {
            rows.RootElement.EnumerateArray().Select(r => (r.GetProperty("host").GetString(), r.GetProperty("port").GetInt32(), string.Join(',', r.GetProperty("ports").EnumerateArray().Select(p => p.GetInt32()))))
                .ShouldBe([("web1", _otherPort, $"{_port},{_otherPort}"), ("web2", _otherPort, $"{_port},{_otherPort}")]);
        }

        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        (await _hosts.ListensAsync("web1", _otherPort)).ShouldBeFalse();
        (await _hosts.ListensAsync("web2", _otherPort)).ShouldBeFalse();
    }

    [HostsFact(Timeout = 120_000)]
    public async Task A_failed_host_stops_the_rollout_after_its_batch_and_the_rest_are_not_run()
    {
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"), ("web2", "web2"));
        Edit(manifest, json => json["rollout"] = new JsonObject { ["batch"] = 1, ["wait"] = 0 });
        // web1's own copy of the project fails to start.
        Edit(HostManifest("web1"), json => json["services"]!["app"]!["start"] = "echo cannot start >&2; exit 3");
        Edit(HostManifest("web1"), json => json["services"]!["app"]!["daemonizes"] = true);

        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);

        deploy.ExitCode.ShouldBe(1, deploy.Stdout + deploy.Stderr);
        deploy.Stdout.ShouldContain("web1: app: ");
        deploy.Stdout.ShouldContain("cannot start");
        deploy.Stdout.ShouldMatch(@"\| web2 +\| not run +\|");
        deploy.Stderr.ShouldContain("failed: web1");
        deploy.Stderr.ShouldContain("not run: web2");
        (await _hosts.ListensAsync("web2", _port)).ShouldBeFalse("web2 was not run");
    }

    [HostsFact(Timeout = 120_000)]
    public async Task A_rolling_deploy_waits_between_batches_and_deploys_each_host_in_turn()
    {
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"), ("web2", "web2"));
        Edit(manifest, json => json["rollout"] = new JsonObject { ["batch"] = 1, ["wait"] = 1 });

        var clock = Stopwatch.StartNew();
        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);

        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1));
        var lines = deploy.Stdout.Split('\n');
        var web1Done = Array.IndexOf(lines, "web1: done");
        var waiting = Array.IndexOf(lines, "rollout: waiting 1.0 s before web2");
        var web2Begins = Array.FindIndex(lines, l => l.StartsWith("web2: ", StringComparison.Ordinal));
        web1Done.ShouldBeGreaterThan(0, deploy.Stdout);
        waiting.ShouldBeGreaterThan(web1Done, deploy.Stdout);
        web2Begins.ShouldBeGreaterThan(waiting, deploy.Stdout);
        (await _hosts.ListensAsync("web2", _port)).ShouldBeTrue();

        (await Pbdeploy.RunAsync("stop", "--manifest", manifest)).ExitCode.ShouldBe(0);
    }

    [HostsFact(Timeout = 120_000)]
    public async Task A_host_without_pbdeploy_fails_with_the_remote_shells_line()
    {
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"));
        Edit(manifest, json => json["hosts"]!["web1"]!["pbdeploy"] = "/nowhere/pbdeploy");

        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);

        deploy.ExitCode.ShouldBe(1);
        deploy.Stdout.ShouldMatch(@"\| web1 +\| failed +\|");
        deploy.Stdout.ShouldContain("/nowhere/pbdeploy");
        deploy.Stderr.ShouldContain("failed: web1");
    }

    [HostsFact(Timeout = 120_000)]
    public async Task An_unreachable_host_is_a_row_that_says_so_and_the_others_still_deploy()
    {
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"), ("down", SshHosts.Down), ("web2", "web2"));

        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);

        deploy.ExitCode.ShouldBe(1, deploy.Stdout + deploy.Stderr);
        deploy.Stdout.ShouldMatch(@"\| down +\| unreachable +\|");
        deploy.Stdout.ShouldMatch(@"\| web1 +\| ok +\|");
        deploy.Stderr.ShouldContain("unreachable: down");
        (await _hosts.ListensAsync("web1", _port)).ShouldBeTrue();
        (await _hosts.ListensAsync("web2", _port)).ShouldBeTrue();

        var status = await Pbdeploy.RunAsync("status", "--json", "--manifest", manifest);
        status.ExitCode.ShouldBe(1, status.Stderr);
        using (var rows = JsonDocument.Parse(status.Stdout))
        {
            var down = rows.RootElement.EnumerateArray().Single(r => r.GetProperty("host").GetString() == "down");
            down.GetProperty("state").GetString().ShouldBe("unreachable");
            down.GetProperty("error").GetString()!.ShouldStartWith("unreachable: ");
            rows.RootElement.EnumerateArray().Count(r => r.GetProperty("state").GetString() == "running").ShouldBe(2);
        }

        var table = await Pbdeploy.RunAsync("status", "--manifest", manifest);
        table.ExitCode.ShouldBe(1);
        table.Stdout.ShouldMatch(@"\| down +\| - +\| - +\| unreachable +\|");
        table.Stderr.ShouldContain("pbdeploy: error: down: unreachable: ");

        (await Pbdeploy.RunAsync("stop", "--hosts", "web1,web2", "--manifest", manifest)).ExitCode.ShouldBe(0);
    }

    [HostsFact(Timeout = 120_000)]
    public async Task Hosts_names_a_subset_and_an_unknown_host_is_one_line_before_anything_runs()
    {
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"), ("web2", "web2"));

        var unknown = await Pbdeploy.RunAsync("--hosts", "web1,web3", "--manifest", manifest);
        unknown.ExitCode.ShouldBe(2);
        unknown.Stderr.ShouldBe($"pbdeploy: error: {manifest}: there is no host 'web3'; the hosts are: web1, web2.\n");

        var both = await Pbdeploy.RunAsync("--hosts", "web1", "--local", "--manifest", manifest);
        both.ExitCode.ShouldBe(2);
        both.Stderr.ShouldContain("--hosts and --local cannot be used together");

        var deploy = await Pbdeploy.RunAsync("--hosts", "web2", "--manifest", manifest);
        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        deploy.Stdout.ShouldNotContain("web1");
        (await _hosts.ListensAsync("web2", _port)).ShouldBeTrue();
        (await _hosts.ListensAsync("web1", _port)).ShouldBeFalse();

        (await Pbdeploy.RunAsync("stop", "--hosts", "web2", "--manifest", manifest)).ExitCode.ShouldBe(0);
    }

    [HostsFact(Timeout = 120_000)]
    public async Task Hosts_without_hosts_in_the_manifest_is_an_error_and_local_deploys_here()
    {
        _hosts.EnsureReady();
        var manifest = _dir.Write("here/pbdeploy.json", ManifestText([]));

        var hosts = await Pbdeploy.RunAsync("--hosts", "web1", "--manifest", manifest);
        hosts.ExitCode.ShouldBe(2);
        hosts.Stderr.ShouldStartWith($"pbdeploy: error: {manifest} has no hosts; add them");

        var sync = await Pbdeploy.RunAsync("--sync", "--manifest", manifest);
        sync.ExitCode.ShouldBe(2);
        sync.Stderr.ShouldContain("--sync copies the project to the hosts");
    }

    [HostsFact(Timeout = 120_000)]
    public async Task Sync_copies_the_project_to_each_host_dir_whose_name_has_a_space_and_a_quote()
    {
        _hosts.EnsureReady();
        var local = _dir.Combine("local project");
        var web1 = _dir.Combine("web1's site");
        var web2 = _dir.Combine("web2 \"dir\"");
        var manifest = _dir.Write("local project/pbdeploy.json", ManifestText([("web1", "web1", web1), ("web2", "web2", web2)]));
        _dir.Write("local project/static/index.html", "hello from the project");
        Directory.CreateDirectory(web1);
        File.WriteAllText(Path.Combine(web1, "stale.txt"), "deleted by --delete");

        var deploy = await Pbdeploy.RunAsync("--sync", "--manifest", manifest);

        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        deploy.Stdout.ShouldContain("web1: copying the project (rsync)");
        File.ReadAllText(Path.Combine(web1, "static", "index.html")).ShouldBe("hello from the project");
        File.ReadAllText(Path.Combine(web2, "static", "index.html")).ShouldBe("hello from the project");
        File.Exists(Path.Combine(web1, "stale.txt")).ShouldBeFalse();
        (await _hosts.ListensAsync("web1", _port)).ShouldBeTrue();
        (await _hosts.ListensAsync("web2", _port)).ShouldBeTrue();
        local.ShouldNotBeNull();

        (await Pbdeploy.RunAsync("stop", "--manifest", manifest)).ExitCode.ShouldBe(0);
    }

    [HostsFact(Timeout = 120_000)]
    public async Task Ctrl_C_stops_the_remote_deploys_the_before_command_is_gone_and_nothing_is_half_started()
    {
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"), ("web2", "web2"));
        foreach (var host in _hosts.Names)
        {
            Edit(HostManifest(host), json => json["services"]!["app"]!["before"] = "echo $$ > {project_dir}/before.pid; exec sleep 60");
        }

        var stdout = _dir.Combine("stdout.txt");
        var stderr = _dir.Combine("stderr.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in (string[])["-c", "exec \"$@\" </dev/null >\"$OUT\" 2>\"$ERR\"", "sh", "dotnet", Pbdeploy.ToolDll, "--manifest", manifest])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OUT"] = stdout;
        start.Environment["ERR"] = stderr;
        start.Environment["PBDEPLOY_SSH_COMMAND"] = _hosts.SshCommand;
        using var pbdeploy = Process.Start(start)!;
        var clock = Stopwatch.StartNew();
        try
        {
            var pidFiles = _hosts.Names.Select(h => Path.Combine(_dir.Combine(h), "before.pid")).ToList();
            await Wait.Until(() => pidFiles.All(f => File.Exists(f) && File.ReadAllText(f).Trim().Length > 0), TimeSpan.FromSeconds(30), "both hosts' before commands");
            var befores = pidFiles.Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture)).ToList();
            befores.ShouldAllBe(pid => SshHosts.IsAlive(pid));

            clock.Restart();
            Signal(pbdeploy.Id, "INT");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await pbdeploy.WaitForExitAsync(timeout.Token);
            var stopped = clock.Elapsed;

            pbdeploy.ExitCode.ShouldBe(1, File.ReadAllText(stdout) + File.ReadAllText(stderr));
            await Wait.Until(() => befores.All(pid => !SshHosts.IsAlive(pid)), TimeSpan.FromSeconds(10), "the remote before commands to be gone");
            var errors = File.ReadAllText(stderr);
            errors.ShouldContain("SIGINT received");
            errors.ShouldContain("interrupted: each host stopped what it had started");
            File.ReadAllText(stdout).ShouldMatch(@"\| web1 +\| interrupted +\|");
            (await _hosts.ListensAsync("web1", _port)).ShouldBeFalse("the service was never started");
            (await _hosts.ListensAsync("web2", _port)).ShouldBeFalse("the service was never started");
            foreach (var host in _hosts.Names)
            {
                var left = await _hosts.PbdeployPidsAsync(host);
                left.ShouldBeEmpty($"no remote pbdeploy is left on {host}");
            }

            stopped.ShouldBeLessThan(TimeSpan.FromSeconds(15), "the remote deploys stop as soon as their stdin closes");
        }
        finally
        {
            if (!pbdeploy.HasExited)
            {
                pbdeploy.Kill(entireProcessTree: true);
            }
        }
    }

    [HostsFact(Timeout = 120_000)]
    public async Task A_service_started_by_a_remote_deploy_holds_no_end_of_the_ssh_stdin_pipe_only_dev_null_and_its_log()
    {
        // The remote pbdeploy reads its stdin (the ssh pipe) to learn of an interrupt: a service it starts must not
        // inherit that pipe (nor any other descriptor), or the client's stdin would never end and the service would
        // hold a channel of the ssh session.
        _hosts.EnsureReady();
        var manifest = Project(("web1", "web1"));

        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);

        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        var port = _port.ToString(CultureInfo.InvariantCulture);
        var service = (await _hosts.PidsAsync(_hosts.Namespace("web1")))
            .Where(pid => SshHosts.CommandLine(pid) is var commandLine && commandLine.Contains("http.server", StringComparison.Ordinal) && commandLine.Contains(port, StringComparison.Ordinal))
            .ToList();
        service.Count.ShouldBe(1, "one service process serves the port on web1");
        var fds = Directory.GetFileSystemEntries($"/proc/{service[0]}/fd")
            .Select(f => (Fd: int.Parse(Path.GetFileName(f), CultureInfo.InvariantCulture), Target: new FileInfo(f).LinkTarget ?? ""))
            .ToList();
        fds.ShouldContain((0, "/dev/null"));
        fds.Where(f => f.Target.StartsWith("pipe:", StringComparison.Ordinal)).ShouldBeEmpty("no pipe of the ssh session reaches the service");
        fds.Where(f => f.Fd > 2).ShouldAllBe(f => f.Target.StartsWith("socket:", StringComparison.Ordinal), "beyond 0-2, only the service's own sockets");
        var log = Path.Combine(_dir.Combine("web1"), "app.log");
        new FileInfo($"/proc/{service[0]}/fd/1").LinkTarget.ShouldBe(log);
        new FileInfo($"/proc/{service[0]}/fd/2").LinkTarget.ShouldBe(log);

        (await Pbdeploy.RunAsync("stop", "--manifest", manifest)).ExitCode.ShouldBe(0);
    }

    /// <summary>A local project whose hosts are (name, ssh destination), each with its own copy of the project in a folder of the test.</summary>
    private string Project(params (string Name, string Ssh)[] hosts)
    {
        var entries = hosts.Select(h => (h.Name, h.Ssh, _dir.Combine(h.Name))).ToArray();
        var text = ManifestText(entries);
        foreach (var (_, _, dir) in entries)
        {
            _dir.Write(Path.Combine(dir, "pbdeploy.json"), text);
        }

        return _dir.Write("local/pbdeploy.json", text);
    }

    private string HostManifest(string host) => _dir.Combine(host, "pbdeploy.json");

    private string ManifestText((string Name, string Ssh, string Dir)[] hosts)
    {
        var json = new JsonObject
        {
            ["services"] = new JsonObject
            {
                ["app"] = new JsonObject
                {
                    ["port"] = _port,
                    ["start"] = "exec python3 -m http.server {port} --bind 127.0.0.1",
                    ["daemonizes"] = false,
                    ["log"] = "app.log",
                },
            },
        };
        if (hosts.Length > 0)
        {
            var entries = new JsonObject();
            foreach (var (name, ssh, dir) in hosts)
            {
                entries[name] = new JsonObject { ["ssh"] = ssh, ["dir"] = dir };
            }

            json["hosts"] = entries;
        }

        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static void Edit(string manifest, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        edit(json);
        File.WriteAllText(manifest, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit(5000).ShouldBeTrue();
    }
}
