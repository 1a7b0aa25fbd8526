using System.Diagnostics;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;
using Xunit.Abstractions;
using static PbDeploy.Cli.Tests.EndToEnd.RealServices;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>
/// examples/blue-green as its README runs it, on the test's own ports: deploy; change the version and deploy again while
/// a client loops through nginx; no failed request, then only the new version; status shows the other port; stop.
/// </summary>
public sealed class BlueGreenExampleTests(ITestOutputHelper output)
{
    [Fact(Timeout = 180_000)]
    public async Task The_blue_green_example_redeploys_a_new_version_without_a_failed_request_and_stops_leaving_nothing()
    {
        Require("nginx", "nginx");
        using var dir = new TempDirectory();
        var (a, b, nginxPort) = (TestService.FreePort(), TestService.FreePort(), TestService.FreePort());
        using var cleanup = new PortCleanup(nginxPort, a, b);
        using var nginxCleanup = new PidfileCleanup(dir.Combine("run", "nginx.pid"));
        var manifest = CopyExample(dir, "blue-green");
        Configure(manifest, a, b, nginxPort, "1");

        // pbdeploy: the app on its first port, then nginx in front of it.
        var deploy = await Pbdeploy.RunAsync("--manifest", manifest);
        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        var first = await StatusAsync(manifest, "app");
        first.Port.ShouldBe(a, "a first deploy uses the first port");
        deploy.Stdout.IndexOf($"app: started, pid {first.Pid}", StringComparison.Ordinal)
            .ShouldBeLessThan(deploy.Stdout.IndexOf("nginx: started", StringComparison.Ordinal));
        var v1 = $"version 1 on port {a}\n";
        (await GetAsync(nginxPort)).ShouldBe(v1);
        var nginx = await StatusAsync(manifest, "nginx");
        nginx.Workers.Count.ShouldBe(2, $"nginx's pids: {string.Join(' ', nginx.Pids)}");

        // The version changed, pbdeploy again while `while curl -fsS 127.0.0.1:PORT; do :; done` runs.
        await using var client = LoopingClient.Start(nginxPort);
        await client.WaitForAnswersAsync(20, after: 0, "20 answers before the redeploy");
        Configure(manifest, a, b, nginxPort, "2");
        var before = client.Answers.Count;
        var clock = Stopwatch.StartNew();
        var redeploy = await Pbdeploy.RunAsync("--manifest", manifest);
        var switchTime = clock.Elapsed;
        var during = client.Answers.Count;
        redeploy.ExitCode.ShouldBe(0, redeploy.Stdout + redeploy.Stderr);
        await client.WaitForAnswersAsync(20, after: during, "20 answers after the redeploy");
        var answers = await client.StopAsync();

        var v2 = $"version 2 on port {b}\n";
        output.WriteLine(LoopingClient.Describe(answers, during - before, switchTime, v1, v2));
        output.WriteLine(redeploy.Stdout);
        LoopingClient.ShouldSwitchWithoutAFailedRequest(answers, v1, v2);
        (during - before).ShouldBeGreaterThan(0, "the client kept asking while pbdeploy ran");

        // pbdeploy status: the app on the other port, nginx with the master it had (reloaded, not restarted).
        var second = await StatusAsync(manifest, "app");
        second.Port.ShouldBe(b);
        second.State.ShouldBe("running");
        redeploy.Stdout.ShouldContain($"app: new copy ready on port {b}; switching nginx to it, then stopping the copy on port {a}");
        redeploy.Stdout.ShouldContain($"app: restarted, pid {first.Pid} → {second.Pid}");
        IsGone(first.Pid!.Value).ShouldBeTrue("the old copy is gone");
        TestService.IsFree(a).ShouldBeTrue($"port {a} is free");
        var reloaded = await StatusAsync(manifest, "nginx");
        reloaded.Pid.ShouldBe(nginx.Pid, "nginx reloaded on HUP, keeping its master");
        var status = await Pbdeploy.RunAsync("status", "--manifest", manifest);
        status.ExitCode.ShouldBe(0, status.Stderr);
        status.Stdout.ShouldMatch($@"\| app +\| {b} +\| running +\| {second.Pid} ");
        File.ReadAllText(dir.Combine("logs", "app.log")).ShouldContain(
            $"app version 1 on port {a} stopped after finishing its requests", customMessage: "the old copy stopped gracefully, its log kept");

        // pbdeploy stop: nginx, then the app; nothing left running, nothing listening, no pidfile.
        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        var nginxStopped = stop.Stdout.IndexOf($"nginx: stopped, pid {nginx.Pid}", StringComparison.Ordinal);
        nginxStopped.ShouldBeGreaterThanOrEqualTo(0, stop.Stdout);
        stop.Stdout.IndexOf($"app: stopped, pid {second.Pid}", StringComparison.Ordinal).ShouldBeGreaterThan(nginxStopped, stop.Stdout);
        foreach (var pid in (int[])[second.Pid!.Value, .. nginx.Pids, .. reloaded.Pids])
        {
            IsGone(pid).ShouldBeTrue($"pid {pid} is still running");
        }

        foreach (var port in (int[])[a, b, nginxPort])
        {
            TestService.IsFree(port).ShouldBeTrue($"port {port} is free");
        }

        File.Exists(dir.Combine("run", "nginx.pid")).ShouldBeFalse("nginx removes its pidfile when it stops");
        (await StatusAsync(manifest, "app")).State.ShouldBe("stopped");
        (await StatusAsync(manifest, "nginx")).State.ShouldBe("stopped");
    }

    /// <summary>The example's manifest on the test's ports, with <c>variables.version</c>: what a user edits between deploys.</summary>
    private static void Configure(string manifest, int a, int b, int nginxPort, string version) => EditManifest(manifest, json =>
    {
        json["variables"]!["version"] = version;
        json["services"]!["app"]!["ports"] = new System.Text.Json.Nodes.JsonArray(a, b);
        json["services"]!["nginx"]!["port"] = nginxPort;
    });
}
