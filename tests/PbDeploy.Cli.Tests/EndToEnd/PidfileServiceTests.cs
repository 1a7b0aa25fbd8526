using System.Text.Json;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Cli.Tests.EndToEnd.RealServices;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>A service found by the pidfile it writes itself, on a port the OS picks at run time.</summary>
public sealed class PidfileServiceTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_pidfile_service_on_a_runtime_port_is_deployed_restarted_and_stopped_through_its_pidfile()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("run"));
        var pidfile = dir.Combine("run", "svc.pid");
        using var cleanup = new PidfileCleanup(pidfile);
        // It daemonizes (setsid -f), so it is nobody's child here. The restart waits until the old process has
        // exited (a zombie counts as exited: nothing may ever reap it), then starts a new one on a new port.
        var manifest = dir.Write("pbdeploy.json", $$"""
            {
              "services": {
                "svc": {
                  "pidfile": "run/svc.pid",
                  "serve": "{{TestService.Python}} {{TestService.Script}} --port 0 --pidfile run/svc.pid --state run/svc.json",
                  "start": "setsid -f {serve} </dev/null >>svc.log 2>&1",
                  "restart": "kill {pid}; while [ -e /proc/{pid} ] && ! grep -q ') Z' /proc/{pid}/stat; do sleep 0.05; done; setsid -f {serve} </dev/null >>svc.log 2>&1",
                  "stop_timeout": 5
                }
              }
            }
            """);

        var deploy = await Pbdeploy.RunAsync("--verbose", "--manifest", manifest);
        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        deploy.Stderr.ShouldBeEmpty();
        var first = await StatusAsync(manifest, "svc");
        first.ShouldBe(new ServiceView("svc", null, "run/svc.pid", "running", ReadPidfile(pidfile), first.Pids));
        first.Pids.ShouldBe([first.Pid!.Value]);
        deploy.Stdout.ShouldContain($"svc: waiting for pidfile {pidfile} to name a live process");
        deploy.Stdout.ShouldContain($"svc: started, pid {first.Pid}");
        var firstPort = await PortOf(dir, first.Pid.Value);
        (await ReadAllAsync(firstPort)).ShouldBe($"pid {first.Pid}\n");

        var restart = await Pbdeploy.RunAsync("--manifest", manifest);
        restart.ExitCode.ShouldBe(0, restart.Stdout + restart.Stderr);
        var second = await StatusAsync(manifest, "svc");
        second.State.ShouldBe("running");
        second.Pid.ShouldNotBe(first.Pid);
        second.Pid.ShouldBe(ReadPidfile(pidfile));
        restart.Stdout.ShouldContain($"svc: restarted, pid {first.Pid} → {second.Pid}");
        IsGone(first.Pid.Value).ShouldBeTrue();
        var secondPort = await PortOf(dir, second.Pid!.Value);
        (await ReadAllAsync(secondPort)).ShouldBe($"pid {second.Pid}\n");

        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        stop.Stdout.ShouldContain($"svc: stopped, pid {second.Pid}");
        IsGone(second.Pid.Value).ShouldBeTrue();
        TestService.IsFree(secondPort).ShouldBeTrue();
        (await StatusAsync(manifest, "svc")).State.ShouldBe("stopped");
    }

    /// <summary>The port the service with <paramref name="pid"/> listens on, from the state file it writes just after its pidfile.</summary>
    private static async Task<int> PortOf(TempDirectory dir, int pid)
    {
        var state = await UntilAsync(
            async () => File.Exists(dir.Combine("run", "svc.json")) ? await File.ReadAllTextAsync(dir.Combine("run", "svc.json")) : "",
            text => text.Length > 0 && JsonDocument.Parse(text).RootElement.GetProperty("pid").GetInt32() == pid,
            TimeSpan.FromSeconds(10),
            $"pid {pid} writing its state file");
        using var json = JsonDocument.Parse(state);
        return json.RootElement.GetProperty("port").GetInt32();
    }
}
