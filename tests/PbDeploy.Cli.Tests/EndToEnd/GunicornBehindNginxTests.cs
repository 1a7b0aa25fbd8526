using System.Text.RegularExpressions;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Cli.Tests.EndToEnd.RealServices;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>The seed README's nginx + gunicorn: examples/nginx-gunicorn as it is, but on the test's ports.</summary>
public sealed partial class GunicornBehindNginxTests
{
    [Fact(Timeout = 150_000)]
    public async Task Nginx_proxies_to_gunicorn_both_reload_on_HUP_keeping_their_masters_and_stop_in_reverse_order()
    {
        Require("nginx", "nginx");
        Require("gunicorn", "gunicorn");
        using var dir = new TempDirectory();
        var appPort = TestService.FreePort();
        var nginxPort = TestService.FreePort();
        using var cleanup = new PortCleanup(nginxPort, appPort);
        var manifest = CopyExample(dir, "nginx-gunicorn");
        ConfigureNginxGunicorn(manifest, appPort, nginxPort, "Hello");

        // Deploy: app first (nginx depends on it), both daemonize themselves.
        var deploy = await Pbdeploy.RunAsync("--verbose", "--manifest", manifest);
        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        var app = await StatusAsync(manifest, "app");
        var nginx = await StatusAsync(manifest, "nginx");
        app.Pid.ShouldBe(ReadPidfile(dir.Combine("run", "app.pid")), "pid must be gunicorn's master, the pid it writes to its pidfile");
        app.Workers.Count.ShouldBe(2, $"gunicorn's pids: {string.Join(' ', app.Pids)}");
        nginx.Pid.ShouldBe(ReadPidfile(dir.Combine("run", "nginx.pid")));
        nginx.Workers.Count.ShouldBe(2);
        deploy.Stdout.IndexOf($"app: started, pid {app.Pid}", StringComparison.Ordinal)
            .ShouldBeLessThan(deploy.Stdout.IndexOf("nginx: start:", StringComparison.Ordinal));
        deploy.Stdout.ShouldContain($"nginx: started, pid {nginx.Pid}");

        // Through nginx, one of gunicorn's workers answers.
        var hello = Answer(await GetAsync(nginxPort));
        hello.Greeting.ShouldBe("Hello");
        app.Workers.ShouldContain(hello.Pid);

        // Redeploy with another greeting: both reload on SIGHUP, keeping their masters; gunicorn's new workers read it.
        ConfigureNginxGunicorn(manifest, appPort, nginxPort, "Bonjour");
        var redeploy = await Pbdeploy.RunAsync("--manifest", manifest);
        redeploy.ExitCode.ShouldBe(0, redeploy.Stdout + redeploy.Stderr);
        redeploy.Stdout.ShouldContain($"app: restarted, pid {app.Pid} → {app.Pid}");
        redeploy.Stdout.ShouldContain($"nginx: restarted, pid {nginx.Pid} → {nginx.Pid}");
        var bonjour = Answer(await UntilAsync(
            () => GetAsync(nginxPort), body => body?.StartsWith("Bonjour from pid ", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "gunicorn's new workers answering through nginx"));
        app.Workers.ShouldNotContain(bonjour.Pid);
        var appReloaded = await StatusAsync(manifest, "app");
        appReloaded.Pid.ShouldBe(app.Pid);
        appReloaded.Pids.ShouldContain(bonjour.Pid);
        (await StatusAsync(manifest, "nginx")).Pid.ShouldBe(nginx.Pid);

        // Stop: nginx first, then the app it depends on.
        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        var nginxStopped = stop.Stdout.IndexOf($"nginx: stopped, pid {nginx.Pid}", StringComparison.Ordinal);
        var appStopped = stop.Stdout.IndexOf($"app: stopped, pid {app.Pid}", StringComparison.Ordinal);
        nginxStopped.ShouldBeGreaterThanOrEqualTo(0, stop.Stdout);
        appStopped.ShouldBeGreaterThan(nginxStopped, stop.Stdout);
        TestService.IsFree(nginxPort).ShouldBeTrue();
        TestService.IsFree(appPort).ShouldBeTrue();
        IsGone(nginx.Pid!.Value).ShouldBeTrue();
        IsGone(app.Pid!.Value).ShouldBeTrue();
    }

    private static (string Greeting, int Pid) Answer(string? body)
    {
        var match = AnswerPattern().Match(body ?? "");
        match.Success.ShouldBeTrue($"not an answer of app.py: '{body}'");
        return (match.Groups[1].Value, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(.+) from pid (\d+)\n$")]
    private static partial Regex AnswerPattern();
}
