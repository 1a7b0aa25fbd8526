using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Cli.Tests.EndToEnd.RealServices;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>Debian's nginx, deployed from examples/nginx-gunicorn with the test's own port; only nginx is deployed (--no-deps: its app is not).</summary>
public sealed class NginxTests
{
    [Fact(Timeout = 120_000)]
    public async Task Nginx_starts_reloads_on_HUP_keeping_its_master_and_stops()
    {
        Require("nginx", "nginx");
        using var dir = new TempDirectory();
        var appPort = TestService.FreePort(); // referenced by the template; nothing runs there in this test
        var nginxPort = TestService.FreePort();
        using var cleanup = new PortCleanup(nginxPort, appPort); // appPort too: a deploy that wrongly took the app along must not leak it
        var manifest = CopyExample(dir, "nginx-gunicorn");
        ConfigureNginxGunicorn(manifest, appPort, nginxPort, "Hello");

        // Start: nginx daemonizes itself; its master is the pid, master and two workers the pids.
        var deploy = await Pbdeploy.RunAsync("deploy", "nginx", "--no-deps", "--manifest", manifest);
        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        var started = await StatusAsync(manifest, "nginx");
        started.State.ShouldBe("running");
        started.Pid.ShouldBe(ReadPidfile(dir.Combine("run", "nginx.pid")), "pid must be nginx's master, the pid nginx writes to its pidfile");
        started.Pids.Count.ShouldBe(3, $"master and 2 workers: {string.Join(' ', started.Pids)}");
        deploy.Stdout.ShouldContain($"nginx: started, pid {started.Pid}");
        (await GetAsync(nginxPort, "/nginx")).ShouldBe("Hello from nginx\n");
        (await StatusAsync(manifest, "app")).State.ShouldBe("stopped", "--no-deps deploys nginx alone");

        // Redeploy with another greeting: the template is rendered again and nginx reloads on SIGHUP, same master.
        ConfigureNginxGunicorn(manifest, appPort, nginxPort, "Bonjour");
        var redeploy = await Pbdeploy.RunAsync("deploy", "nginx", "--no-deps", "--verbose", "--manifest", manifest);
        redeploy.ExitCode.ShouldBe(0, redeploy.Stdout + redeploy.Stderr);
        redeploy.Stdout.ShouldContain($"nginx: restart: kill -s HUP {started.Pid}");
        redeploy.Stdout.ShouldContain($"nginx: restarted, pid {started.Pid} → {started.Pid}");
        File.ReadAllText(dir.Combine("nginx.conf")).ShouldContain("return 200 \"Bonjour from nginx\\n\";");
        (await UntilAsync(() => GetAsync(nginxPort, "/nginx"), body => body == "Bonjour from nginx\n", TimeSpan.FromSeconds(20), "nginx serving the new greeting"))
            .ShouldBe("Bonjour from nginx\n");
        var reloaded = await UntilAsync(
            () => StatusAsync(manifest, "nginx"),
            s => s.Workers.Count == 2 && !s.Workers.Intersect(started.Workers).Any(),
            TimeSpan.FromSeconds(20),
            "the old workers giving way to 2 new ones");
        reloaded.Pid.ShouldBe(started.Pid);
        ReadPidfile(dir.Combine("run", "nginx.pid")).ShouldBe(started.Pid!.Value);

        // Stop: the master is gone (its workers with it) and the port is free.
        var stop = await Pbdeploy.RunAsync("stop", "nginx", "--manifest", manifest);
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        stop.Stdout.ShouldContain($"nginx: stopped, pid {started.Pid}");
        TestService.IsFree(nginxPort).ShouldBeTrue();
        foreach (var pid in reloaded.Pids)
        {
            IsGone(pid).ShouldBeTrue($"pid {pid} of nginx is still running");
        }

        (await StatusAsync(manifest, "nginx")).State.ShouldBe("stopped");
    }
}
