using System.Text.Json;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

public sealed class StatusCommandTests
{
    [Fact(Timeout = 60_000)]
    public async Task Status_json_is_an_array_of_services_in_manifest_order()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("run"));
        using var web = await TestService.StartAsync(dir, "--workers", "2");
        using var worker = await TestService.StartAsync(dir, "--pidfile", dir.Combine("run", "worker.pid"));
        using var green = await TestService.StartAsync(dir);
        var idle = TestService.FreePort();
        var blue = TestService.FreePort();
        var manifest = dir.Write("pbdeploy.json", $$"""
            {
              "services": {
                "web": { "port": {{web.Port}}, "start": "true" },
                "idle": { "port": {{idle}}, "start": "true" },
                "app": { "ports": [{{blue}}, {{green.Port}}], "start": "true" },
                "worker": { "pidfile": "run/worker.pid", "start": "true" }
              }
            }
            """);

        var result = await Pbdeploy.RunAsync("status", "--json", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldBe($"pbdeploy: manifest: {manifest}\n", "stdout is JSON alone; which manifest was used goes to stderr");
        var expected = $$"""
            [
              { "name": "web", "port": {{web.Port}}, "pidfile": null, "state": "running", "pid": {{web.Pid}}, "pids": [{{string.Join(", ", web.Workers.Append(web.Pid).Order())}}] },
              { "name": "idle", "port": {{idle}}, "pidfile": null, "state": "stopped", "pid": null, "pids": [] },
              { "name": "app", "port": {{green.Port}}, "ports": [{{blue}}, {{green.Port}}], "pidfile": null, "state": "running", "pid": {{green.Pid}}, "pids": [{{green.Pid}}] },
              { "name": "worker", "port": null, "pidfile": "run/worker.pid", "state": "running", "pid": {{worker.Pid}}, "pids": [{{worker.Pid}}] }
            ]
            """;
        Normalize(result.Stdout).ShouldBe(Normalize(expected));
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_shows_only_the_services_named()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "a": { "port": {{TestService.FreePort()}}, "start": "true" }, "b": { "port": {{TestService.FreePort()}}, "start": "true" } } }
            """);

        var result = await Pbdeploy.RunAsync("status", "b", "--json", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ShouldBe(["b"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_of_an_unknown_service_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", """{ "services": { "web": { "port": 8000, "start": "true" } } }""");

        var result = await Pbdeploy.RunAsync("status", "api", "--manifest", manifest);

        result.ExitCode.ShouldBe(2);
        result.Stderr.Trim().ShouldBe($"pbdeploy: error: {manifest}: there is no service 'api'; the services are: web.");
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_table_names_each_service_and_its_state()
    {
        using var dir = new TempDirectory();
        using var web = await TestService.StartAsync(dir);
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{web.Port}}, "start": "true" }, "db": { "port": {{TestService.FreePort()}}, "start": "true" } } }
            """);

        var result = await Pbdeploy.RunAsync("status", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var lines = result.Stdout.Split('\n');
        lines.ShouldContain(l => l.Contains("web") && l.Contains("running") && l.Contains(web.Pid.ToString()));
        lines.ShouldContain(l => l.Contains("db") && l.Contains("stopped"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_table_shows_the_active_port_of_a_blue_green_service_and_warns_of_a_leftover_copy()
    {
        using var dir = new TempDirectory();
        using var blue = await TestService.StartAsync(dir);
        using var green = await TestService.StartAsync(dir); // started later: the active copy
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "app": { "ports": [{{blue.Port}}, {{green.Port}}], "start": "true" } } }
            """);

        var result = await Pbdeploy.RunAsync("status", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.Split('\n').ShouldContain(l => l.Contains("app") && l.Contains($" {green.Port} ") && l.Contains("running") && l.Contains($" {green.Pid} "));
        result.Stdout.ShouldNotContain($" {blue.Port} ");
        result.Stderr.ShouldContain(
            $"app: both its ports listen: port {green.Port} (pid {green.Pid}) is the active copy, the one started later; the copy on port {blue.Port} " +
            $"(pid {blue.Pid}) is left from an interrupted deploy, and the next deploy stops it first");
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_finds_the_manifest_in_a_parent_folder()
    {
        using var dir = new TempDirectory();
        dir.Write("pbdeploy.json", $$"""{ "services": { "web": { "port": {{TestService.FreePort()}}, "start": "true" } } }""");
        var sub = dir.Combine("app", "src");
        Directory.CreateDirectory(sub);

        var result = await Pbdeploy.RunProcessAsync(dir, sub, [], "status", "--json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("\"name\": \"web\"");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_port_whose_owner_cannot_be_seen_is_foreign_never_stopped()
    {
        using var dir = new TempDirectory();
        using var rootService = await TestService.StartAsync(dir);
        var manifest = dir.Write("pbdeploy.json", $$"""{ "services": { "web": { "port": {{rootService.Port}}, "start": "true" } } }""");

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], "status", "--json", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stderr);
        Normalize(result.Stdout).ShouldBe(Normalize($$"""
            [ { "name": "web", "port": {{rootService.Port}}, "pidfile": null, "state": "foreign", "pid": null, "pids": [] } ]
            """));
        result.Stderr.Trim().ShouldBe($"pbdeploy: manifest: {manifest}\npbdeploy: warning: web: port {rootService.Port} listens, but its process cannot be seen (the socket belongs to uid 0)");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_manifest_exits_2_with_one_line_and_no_stack_trace()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", """{ "services": { "web": { "port": "eighty", "start": "true" } } }""");

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "status", "--manifest", manifest);

        result.ExitCode.ShouldBe(2);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.Trim().Split('\n').Length.ShouldBe(1, result.Stderr);
        result.Stderr.ShouldStartWith($"pbdeploy: error: {manifest}:1:");
        result.Stderr.ShouldContain("port");
    }

    [Fact(Timeout = 60_000)]
    public async Task No_manifest_anywhere_exits_2_and_says_how_to_fix_it()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"pbdeploy-nomanifest-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            using var files = new TempDirectory();
            var result = await Pbdeploy.RunProcessAsync(files, dir, [], "status");

            result.ExitCode.ShouldBe(2);
            result.Stderr.ShouldContain("pbdeploy.json");
            result.Stderr.ShouldContain("--manifest");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Bad_usage_exits_2()
    {
        var result = await Pbdeploy.RunAsync("status", "--jsn");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("--jsn");
    }

    private static string Normalize(string json) =>
        JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
