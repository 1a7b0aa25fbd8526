using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cake.PbDeploy.Tests.Support;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests.Hosts;

/// <summary>The host tests share one set of <see cref="SshHosts"/> and run one after the other: each namespace serves one test's port at a time.</summary>
[CollectionDefinition(Name)]
public sealed class HostsCollection : ICollectionFixture<SshHosts>
{
    public const string Name = "ssh hosts";
}

/// <summary>
/// The generated tasks for a manifest with <c>hosts</c>, run by the real <c>dotnet cake</c> against real sshds in
/// network namespaces (<see cref="SshHosts"/>): each host serves the same port on its own 127.0.0.1.
/// </summary>
[Collection(HostsCollection.Name)]
public sealed class HostTasksTests : IDisposable
{
    private const string Script = """
        Task("Publish").Does(() => Information("user task: Publish"));
        var deploy = PbDeployTasks("pbdeploy.json");
        deploy.IsDependentOn("Publish");
        RunTarget(Argument("target", "Deploy"));
        """;

    private readonly SshHosts _hosts;
    private readonly TempDirectory _dir = new();
    private readonly int _port = TestService.FreePort();

    public HostTasksTests(SshHosts hosts)
    {
        _hosts = hosts;
        // dotnet cake inherits it: the hosts' ssh config.
        Environment.SetEnvironmentVariable("PBDEPLOY_SSH_COMMAND", SshHosts.Unavailable ? null : hosts.SshCommand);
    }

    public void Dispose()
    {
        // Whatever a failed test left serving in a namespace, by pid.
        _hosts.StopServing(_hosts.Names, _port);
        _dir.Dispose();
    }

    [HostsFact(Timeout = 400_000)]
    public async Task Deploy_deploys_on_both_hosts_Stop_stops_both_and_Deploy_at_web2_deploys_only_web2()
    {
        _hosts.EnsureReady();
        Project();

        var listing = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--description");
        var deploy = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Deploy");
        var bothServe = (await _hosts.ListensAsync("web1", _port), await _hosts.ListensAsync("web2", _port), TestService.IsFree(_port));
        var stop = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Stop");
        var noneServes = (await _hosts.ListensAsync("web1", _port), await _hosts.ListensAsync("web2", _port));
        var web2 = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Deploy@web2");
        var web2Serves = (await _hosts.ListensAsync("web1", _port), await _hosts.ListensAsync("web2", _port));
        var stopWeb2 = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Stop@web2");

        listing.ExitCode.ShouldBe(0, listing.Output);
        // Cake wraps the descriptions: one space for every run of them.
        var tasks = System.Text.RegularExpressions.Regex.Replace(listing.Output, @"\s+", " ");
        tasks.ShouldContain($"Deploy@web1 PbDeploy: deploy every service (or --services=a,b) on host web1 (ssh web1, dir {_dir.Combine("web1")}), as pbdeploy --hosts web1 does");
        tasks.ShouldContain($"Stop@web2 PbDeploy: stop every service (or --services=a,b) on host web2 (ssh web2, dir {_dir.Combine("web2")})");
        tasks.ShouldContain("Deploy PbDeploy: deploy every service (or --services=a,b) as pbdeploy does: before, start/restart, after, service by service; on the hosts web1, web2 (or --hosts=a,b), or here with --local");

        deploy.ExitCode.ShouldBe(0, deploy.Output);
        bothServe.ShouldBe((true, true, true), "each host serves the port in its own namespace, and nothing serves it here");
        deploy.IndexOf("user task: Publish").ShouldBeLessThan(deploy.IndexOf("[web1] deploying over ssh web1"));
        deploy.Output.ShouldContain("[web1] app: started, pid");
        deploy.Output.ShouldContain("[web2] app: started, pid");
        deploy.Output.ShouldContain("[web1] done");
        deploy.Output.ShouldMatch(@"\[web2\] ok, app started, \d+\.\d s");
        deploy.Output.ShouldMatch(@"StartOrRestart\s+-\s+Skipped\s+Deploy runs it");

        stop.ExitCode.ShouldBe(0, stop.Output);
        stop.Output.ShouldContain("[web1] app: stopped, pid");
        stop.Output.ShouldContain("[web2] app: stopped, pid");
        stop.Output.ShouldNotContain("user task: Publish");
        noneServes.ShouldBe((false, false));

        web2.ExitCode.ShouldBe(0, web2.Output);
        web2.Output.ShouldContain("user task: Publish");
        web2.Output.ShouldContain("[web2] app: started, pid");
        web2.Output.ShouldNotContain("[web1]");
        web2Serves.ShouldBe((false, true));

        stopWeb2.ExitCode.ShouldBe(0, stopWeb2.Output);
        stopWeb2.Output.ShouldContain("[web2] app: stopped, pid");
        (await _hosts.ListensAsync("web2", _port)).ShouldBeFalse();
    }

    [HostsFact(Timeout = 400_000)]
    public async Task The_aliases_PbDeployHosts_deploys_on_both_hosts_PbDeployHostsStatus_returns_both_and_PbDeployHostsStop_stops_them()
    {
        _hosts.EnsureReady();
        _ = Project();
        const string aliases = """
            Task("Up").Does(() =>
            {
                var result = PbDeployHosts("pbdeploy.json");
                Information("result: {0}", string.Join(" ", result.Hosts.Select(h => $"{h.Host}={h.State}")));
                // The types need no namespace in a script (PbDeploy.Hosts is imported).
                Information("all ok: {0}", result.Hosts.All(h => h.State == HostState.Succeeded));
                IReadOnlyList<HostStatus> statuses = PbDeployHostsStatus("pbdeploy.json");
                foreach (var host in statuses)
                {
                    Information("status row: {0} {1} {2}", host.Host, host.Services.Single().Name, host.Services.Single().State);
                }
            });
            Task("Down").Does(() =>
            {
                var result = PbDeployHostsStop("pbdeploy.json", new PbDeployHostSettings().WithServices("app"));
                Information("result: {0}", string.Join(" ", result.Hosts.Select(h => $"{h.Host}={h.State}")));
                foreach (var host in PbDeployHostsStatus("pbdeploy.json", s => s.WithHosts("web2")))
                {
                    Information("status row: {0} {1} {2}", host.Host, host.Services.Single().Name, host.Services.Single().State);
                }
            });
            RunTarget(Argument("target", "Up"));
            """;

        var up = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + aliases, "--target=Up");
        var bothServe = (await _hosts.ListensAsync("web1", _port), await _hosts.ListensAsync("web2", _port), TestService.IsFree(_port));
        var down = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + aliases, "--target=Down");
        var noneServes = (await _hosts.ListensAsync("web1", _port), await _hosts.ListensAsync("web2", _port));

        up.ExitCode.ShouldBe(0, up.Output);
        bothServe.ShouldBe((true, true, true), "each host serves the port in its own namespace, and nothing serves it here");
        up.Output.ShouldContain("[web1] deploying over ssh web1");
        up.Output.ShouldContain("[web1] app: started, pid");
        up.Output.ShouldContain("[web2] app: started, pid");
        up.Output.ShouldMatch(@"\[web2\] ok, app started, \d+\.\d s");
        up.Output.ShouldContain("result: web1=Succeeded web2=Succeeded");
        up.Output.ShouldContain("all ok: True");
        up.Output.ShouldContain("status row: web1 app Running");
        up.Output.ShouldContain("status row: web2 app Running");

        down.ExitCode.ShouldBe(0, down.Output);
        down.Output.ShouldContain("[web1] app: stopped, pid");
        down.Output.ShouldContain("[web2] app: stopped, pid");
        down.Output.ShouldContain("result: web1=Succeeded web2=Succeeded");
        down.Output.ShouldContain("status row: web2 app Stopped");
        down.Output.ShouldNotContain("status row: web1");
        noneServes.ShouldBe((false, false));
    }

    [HostsFact(Timeout = 300_000)]
    public async Task PbDeployHosts_with_an_unreachable_host_fails_naming_it_as_the_tasks_do_and_PbDeployHostsStatus_too()
    {
        _hosts.EnsureReady();
        _ = Project("web1", SshHosts.Down);
        const string aliases = """
            Task("Up").Does(() => PbDeployHosts("pbdeploy.json"));
            Task("Status").Does(() => PbDeployHostsStatus("pbdeploy.json"));
            Task("Down").Does(() => PbDeployHostsStop("pbdeploy.json", s => s.WithHosts("web1")));
            RunTarget(Argument("target", "Up"));
            """;

        var up = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + aliases, "--target=Up");
        var web1Serves = await _hosts.ListensAsync("web1", _port);
        var status = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + aliases, "--target=Status");
        var down = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + aliases, "--target=Down");

        up.ExitCode.ShouldNotBe(0, up.Output);
        up.Output.ShouldContain("[web1] app: started, pid");
        up.Output.ShouldMatch(@"\[down\] unreachable: .+, \d+\.\d s\n");
        up.Output.ShouldMatch(@"PbDeploy deploy over hosts: unreachable: down \(1 of 2 done, \d+\.\d s\); see above\.");
        web1Serves.ShouldBeTrue();

        status.ExitCode.ShouldNotBe(0, status.Output);
        status.Output.ShouldMatch(@"\[down\] unreachable: .+\n");
        status.Output.ShouldContain("PbDeploy status over hosts: unreachable: down (1 of 2 done); see above.");

        down.ExitCode.ShouldBe(0, down.Output);
        (await _hosts.ListensAsync("web1", _port)).ShouldBeFalse();
    }

    [HostsFact(Timeout = 300_000)]
    public async Task A_failing_first_host_with_rollout_batch_1_fails_the_task_naming_it_and_the_second_is_not_run()
    {
        _hosts.EnsureReady();
        var manifest = Project();
        Edit(manifest, json => json["rollout"] = new JsonObject { ["batch"] = 1, ["wait"] = 0 });
        Edit(HostManifest("web1"), json => json["services"]!["app"]!["start"] = "echo cannot start >&2; exit 3");
        Edit(HostManifest("web1"), json => json["services"]!["app"]!["daemonizes"] = true);
        var script = CakeRunner.Reference + Script.Replace("RunTarget", "Task(\"Smoke\").IsDependentOn(deploy[\"Deploy\"]).Does(() => Information(\"smoke test ran\"));\nRunTarget", StringComparison.Ordinal);

        var deploy = await CakeRunner.RunAsync(_dir, script, "--target=Smoke");

        deploy.ExitCode.ShouldNotBe(0, deploy.Output);
        deploy.Output.ShouldContain("[web1] app: FAILED");
        deploy.Output.ShouldContain("cannot start");
        deploy.Output.ShouldContain("[web2] not run");
        deploy.Output.ShouldMatch(@"PbDeploy deploy over hosts: failed: web1; not run: web2 \(0 of 2 done, \d+\.\d s\); see above\.");
        deploy.Output.ShouldNotContain("smoke test ran");
        deploy.Output.ShouldNotContain("[web2] deploying");
        (await _hosts.ListensAsync("web2", _port)).ShouldBeFalse("web2 was not run");
    }

    [HostsFact(Timeout = 300_000)]
    public async Task An_unreachable_host_fails_the_task_naming_it_while_the_others_deploy()
    {
        _hosts.EnsureReady();
        _ = Project("web1", SshHosts.Down, "web2");

        var deploy = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Deploy");
        var serves = (await _hosts.ListensAsync("web1", _port), await _hosts.ListensAsync("web2", _port));
        var stop = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Stop", "--hosts=web1,web2");

        deploy.ExitCode.ShouldNotBe(0, deploy.Output);
        deploy.Output.ShouldMatch(@"\[down\] unreachable: .+, \d+\.\d s\n");
        deploy.Output.ShouldNotContain("unreachable, unreachable");
        deploy.Output.ShouldMatch(@"\[web1\] ok, app started, ");
        deploy.Output.ShouldMatch(@"PbDeploy deploy over hosts: unreachable: down \(2 of 3 done, \d+\.\d s\); see above\.");
        serves.ShouldBe((true, true));
        stop.ExitCode.ShouldBe(0, stop.Output);
        stop.Output.ShouldNotContain("[down]");
    }

    [HostsFact(Timeout = 400_000)]
    public async Task Before_with_hosts_fails_at_once_with_one_line_of_advice_and_local_deploys_on_this_machine()
    {
        _hosts.EnsureReady();
        var manifest = Project();
        using var cleanup = new PortCleanup(_port);

        var before = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Before");
        var unknown = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Deploy", "--hosts=web1,web3");
        var hostHere = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Deploy@web1", "--local");
        var local = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Deploy", "--local");
        var servesHere = (!TestService.IsFree(_port), await _hosts.ListensAsync("web1", _port), await _hosts.ListensAsync("web2", _port));
        var stopLocal = await CakeRunner.RunAsync(_dir, CakeRunner.Reference + Script, "--target=Stop", "--local");

        before.ExitCode.ShouldNotBe(0, before.Output);
        before.Output.ShouldContain(
            $"PbDeploy: task Before runs its phase on this machine, and {manifest} has hosts (web1, web2): run Deploy (every host) or Deploy@web1 (one host), or pass --local to run it here.");
        before.Output.ShouldNotContain("user task: Publish", Case.Sensitive, "it fails before any task runs");

        unknown.ExitCode.ShouldNotBe(0, unknown.Output);
        unknown.Output.ShouldContain($"PbDeploy: {manifest}: there is no host 'web3'; the hosts are: web1, web2.");
        unknown.Output.ShouldNotContain("user task: Publish", Case.Sensitive, "it fails before any task runs");

        hostHere.ExitCode.ShouldNotBe(0, hostHere.Output);
        hostHere.Output.ShouldContain($"PbDeploy: task Deploy@web1 acts on a host of {manifest}, and --local says to act on this machine: drop --local, or run Deploy or Stop.");

        local.ExitCode.ShouldBe(0, local.Output);
        local.Output.ShouldContain("app: started, pid");
        local.Output.ShouldNotContain("[web1]");
        servesHere.ShouldBe((true, false, false));

        stopLocal.ExitCode.ShouldBe(0, stopLocal.Output);
        TestService.IsFree(_port).ShouldBeTrue();
    }

    [HostsFact(Timeout = 300_000)]
    public async Task Settings_Hosts_and_Sync_copy_the_project_to_web2_alone_and_deploy_it_there()
    {
        _hosts.EnsureReady();
        // The project in a folder of its own (rsync copies all of it), and no copy of it on the hosts yet.
        var text = File.ReadAllText(Project());
        _ = _dir.Write("local/pbdeploy.json", text);
        _ = _dir.Write("local/static/index.html", "hello from the project");
        Directory.Delete(_dir.Combine("web2"), recursive: true);
        var script = CakeRunner.Reference + """
            PbDeployTasks("local/pbdeploy.json", s => s.WithHosts("web2").WithSync());
            RunTarget(Argument("target", "Deploy"));
            """;

        var deploy = await CakeRunner.RunAsync(_dir, script, "--target=Deploy");
        var serves = (await _hosts.ListensAsync("web1", _port), await _hosts.ListensAsync("web2", _port));
        var stop = await CakeRunner.RunAsync(_dir, script, "--target=Stop");

        deploy.ExitCode.ShouldBe(0, deploy.Output);
        deploy.Output.ShouldContain("[web2] copying the project (rsync) over ssh web2");
        deploy.Output.ShouldNotContain("[web1]");
        File.ReadAllText(_dir.Combine("web2", "static", "index.html")).ShouldBe("hello from the project");
        serves.ShouldBe((false, true));
        stop.ExitCode.ShouldBe(0, stop.Output);
        stop.Output.ShouldContain("[web2] app: stopped, pid");
        (await _hosts.ListensAsync("web2", _port)).ShouldBeFalse();
    }

    [HostsFact(Timeout = 300_000)]
    public async Task Ctrl_C_during_Deploy_over_hosts_stops_the_remote_before_commands_and_fails_the_task_saying_so()
    {
        _hosts.EnsureReady();
        _ = Project();
        foreach (var host in _hosts.Names)
        {
            Edit(HostManifest(host), json => json["services"]!["app"]!["before"] = "echo $$ > {project_dir}/before.tmp; mv {project_dir}/before.tmp {project_dir}/before.pid; exec sleep 300");
        }

        var (cake, output) = await CakeRunner.StartAsync(_dir, CakeRunner.Reference + Script, "--target=Deploy");
        using var cakeProcess = cake;
        List<int> befores = [];
        try
        {
            var pidFiles = _hosts.Names.Select(h => _dir.Combine(h, "before.pid")).ToList();
            await Wait.Until(() => pidFiles.All(File.Exists) || cake.HasExited, TimeSpan.FromSeconds(150), "both hosts' before commands");
            cake.HasExited.ShouldBeFalse(File.ReadAllText(output));
            befores = [.. pidFiles.Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture))];

            Kill(-cake.Id, 2).ShouldBe(0); // Ctrl-C: SIGINT to the foreground process group
            var result = await CakeRunner.WaitAsync(cake, output);

            result.ExitCode.ShouldNotBe(0, result.Output);
            result.Output.ShouldContain("[web1] interrupted: the host stopped what it had started");
            result.Output.ShouldContain("PbDeploy deploy over hosts was interrupted: each host stopped what it had started and nothing more was run");
            await Wait.Until(() => befores.All(pid => !SshHosts.IsAlive(pid)), TimeSpan.FromSeconds(10), "the remote before commands to be gone");
            foreach (var host in _hosts.Names)
            {
                var left = await _hosts.PbdeployPidsAsync(host);
                left.ShouldBeEmpty($"no remote pbdeploy is left on {host}");
                (await _hosts.ListensAsync(host, _port)).ShouldBeFalse("the service was never started");
            }
        }
        finally
        {
            foreach (var pid in befores.Where(SshHosts.IsAlive))
            {
                _ = Kill(pid, 9);
            }

            if (!cake.HasExited)
            {
                _ = Kill(-cake.Id, 9);
            }
        }
    }

    /// <summary>pbdeploy.json here, with hosts (web1 and web2 by default), each with its own copy of the project in a folder of the test.</summary>
    private string Project(params string[] names)
    {
        names = names.Length > 0 ? names : [.. _hosts.Names];
        var hosts = new JsonObject();
        foreach (var name in names)
        {
            hosts[name] = new JsonObject { ["ssh"] = name, ["dir"] = _dir.Combine(name) };
        }

        var json = new JsonObject
        {
            ["hosts"] = hosts,
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
        var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        foreach (var host in names)
        {
            _ = _dir.Write(Path.Combine(host, "pbdeploy.json"), text);
        }

        return _dir.Write("pbdeploy.json", text);
    }

    private string HostManifest(string host) => _dir.Combine(host, "pbdeploy.json");

    private static void Edit(string manifest, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        edit(json);
        File.WriteAllText(manifest, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
