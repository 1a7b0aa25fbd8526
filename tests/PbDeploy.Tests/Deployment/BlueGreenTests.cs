using System.Net.Sockets;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Status;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>
/// Blue-green by port (<c>"ports": [A, B]</c>): a redeploy starts the new copy on the free port, switches the services
/// that depend on it (re-rendered and restarted), then stops the old copy.
/// </summary>
public sealed class BlueGreenTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_first_deploy_starts_on_the_first_port_and_each_redeploy_moves_to_the_other_switching_the_proxy_in_front()
    {
        await using var scene = new DeployScene();
        var (a, b, proxyPort) = BlueGreenScene(scene);

        var first = Outcome(await scene.DeployAsync(), "app");

        first.Action.ShouldBe(ServiceAction.Started, first.Message);
        Owner(a).Pid.ShouldBe(first.Pid);
        Owner(b).State.ShouldBe(ServiceState.Stopped);
        Served(a).ShouldBe($"pid {first.Pid} build 1");
        scene.Lines("app.conf").ShouldBe([$"listen {a}"], "{port} in the service's own template: the port of the copy started");
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{a}"], "{services.app.port}: the active port");
        scene.Lines("starts.txt").ShouldBe([$"start {a} build 1"]);
        var proxy = Owner(proxyPort).Pid!.Value;

        scene.Variables["build"] = "2";
        _ = scene.Write();
        var result = await scene.DeployAsync();

        var second = Outcome(result, "app");
        second.Action.ShouldBe(ServiceAction.Restarted, second.Message);
        second.OldPid.ShouldBe(first.Pid);
        second.Pid.ShouldNotBe(first.Pid);
        second.Message.ShouldBe($"now on port {b}; stopped the copy on port {a}; switched 'proxy' to it");
        Owner(b).Pid.ShouldBe(second.Pid);
        Owner(a).State.ShouldBe(ServiceState.Stopped);
        IsAlive(first.Pid!.Value).ShouldBeFalse();
        Served(b).ShouldBe($"pid {second.Pid} build 2");
        scene.Lines("app.conf").ShouldBe([$"listen {b}"]);
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{b}"]);
        scene.Lines("starts.txt").ShouldBe([$"start {a} build 1", $"start {b} build 2"]);
        scene.Lines("restarts.txt").ShouldBe([$"restart {b}", $"restart {b}"], "switched by app's deploy, then restarted again by its own pipeline");
        Owner(proxyPort).Pid.ShouldBe(proxy, "the proxy reloads on HUP, keeping its master");
        var over = scene.Events.OfType<SwitchingOver>().Single();
        (over.Service, over.FromPort, over.ToPort).ShouldBe(("app", a, b));
        over.Dependents.ShouldBe(["proxy"]);
        result.Succeeded.ShouldBeTrue();

        scene.Variables["build"] = "3";
        _ = scene.Write();
        var third = Outcome(await scene.DeployAsync(), "app");

        third.Action.ShouldBe(ServiceAction.Restarted, third.Message);
        third.OldPid.ShouldBe(second.Pid);
        third.Message.ShouldBe($"now on port {a}; stopped the copy on port {b}; switched 'proxy' to it");
        Owner(a).Pid.ShouldBe(third.Pid);
        Owner(b).State.ShouldBe(ServiceState.Stopped);
        IsAlive(second.Pid!.Value).ShouldBeFalse();
        Served(a).ShouldBe($"pid {third.Pid} build 3");
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{a}"]);
        new StatusReader().Read(scene.Manifest!, [scene.Manifest!.GetService("app")])[0].ShouldSatisfyAllConditions(
            s => s.Port.ShouldBe(a),
            s => s.Ports.ShouldBe([a, b]),
            s => s.Pid.ShouldBe(third.Pid));
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploying_the_app_alone_switches_a_running_proxy_not_selected_and_render_sees_the_active_port()
    {
        await using var scene = new DeployScene();
        var (a, b, _) = BlueGreenScene(scene);
        _ = await scene.DeployAsync();

        var result = await scene.DeployAsync(new DeployOptions { Services = ["app"] });

        Outcome(result, "app").Action.ShouldBe(ServiceAction.Restarted, Outcome(result, "app").Message);
        result.Outcomes.ShouldNotContain(o => o.Service == "proxy");
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{b}"]);
        scene.Lines("restarts.txt").ShouldBe([$"restart {b}"]);
        Owner(a).State.ShouldBe(ServiceState.Stopped);

        // pbdeploy render and check (and a git push's checks) see the active port too.
        File.Delete(scene.Dir.Combine("proxy.conf"));
        _ = TemplateRun.Render(scene.Manifest!, [scene.Manifest!.GetService("proxy")]);
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{b}"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_new_copy_that_fails_readiness_is_stopped_and_the_old_copy_and_the_proxy_are_untouched()
    {
        await using var scene = new DeployScene();
        var (a, b, proxyPort) = BlueGreenScene(scene);
        var first = Outcome(await scene.DeployAsync(), "app");
        var proxy = Owner(proxyPort);

        scene.Variables["build"] = "bad";
        _ = scene.Write();
        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "app");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.OldPid.ShouldBe(first.Pid);
        outcome.Message.ShouldStartWith($"the new copy on port {b} failed, and the copy on port {a} (pid {first.Pid}) still serves: it exited (exit code 3) before it was ready");
        outcome.Message.ShouldEndWith("; its templates were restored: app.conf");
        Owner(a).Pid.ShouldBe(first.Pid);
        Served(a).ShouldBe($"pid {first.Pid} build 1");
        Owner(b).State.ShouldBe(ServiceState.Stopped);
        scene.Lines("app.conf").ShouldBe([$"listen {a}"]);
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{a}"]);
        scene.Lines("restarts.txt").ShouldBeEmpty();
        Owner(proxyPort).Pids.ShouldBe(proxy.Pids, "the proxy was neither restarted nor reloaded");
        Outcome(result, "proxy").Action.ShouldBe(ServiceAction.Skipped);
        scene.Events.OfType<SwitchingOver>().ShouldBeEmpty();
    }

    [Fact(Timeout = 120_000)]
    public async Task An_interrupted_wait_for_the_new_copy_stops_it_and_the_old_copy_keeps_serving()
    {
        await using var scene = new DeployScene();
        var (a, b, proxyPort) = BlueGreenScene(scene);
        var first = Outcome(await scene.DeployAsync(), "app");
        var proxy = Owner(proxyPort).Pids;

        scene.Variables["delay"] = "5";
        _ = scene.Write();
        var outcome = Outcome(await scene.DeployInterruptedWhileWaitingForAsync("app"), "app");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldNotBeNull().ShouldContain($"the new copy on port {b} was stopped, and the copy on port {a} (pid {first.Pid}) still serves");
        Owner(a).Pid.ShouldBe(first.Pid);
        (await EventuallyAsync(() => scene.LiveProcesses().Except(proxy).SequenceEqual([first.Pid!.Value])))
            .ShouldBeTrue($"the old copy and the proxy only: {string.Join(' ', scene.LiveProcesses())}");
        Owner(b).State.ShouldBe(ServiceState.Stopped);
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{a}"]);
        scene.Lines("app.conf").ShouldBe([$"listen {a}"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_running_dependent_without_a_restart_is_refused_before_anything_starts()
    {
        await using var scene = new DeployScene();
        var (a, b, _) = BlueGreenScene(scene, proxyRestart: null);
        var first = Outcome(await scene.DeployAsync(), "app");

        scene.Variables["build"] = "2";
        _ = scene.Write();
        var outcome = Outcome(await scene.DeployAsync(), "app");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            $"service 'proxy' depends on it and runs without a restart, so it cannot be switched to the new copy on port {b}; nothing was started or stopped. " +
            "Add a restart to 'proxy' (for nginx: \"restart\": \"kill -s HUP {pid}\"), or \"restart\": true");
        Owner(a).Pid.ShouldBe(first.Pid);
        Owner(b).State.ShouldBe(ServiceState.Stopped);
        scene.Lines("starts.txt").ShouldBe([$"start {a} build 1"]);
        scene.Lines("app.conf").ShouldBe([$"listen {a}"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_dependent_whose_restart_fails_puts_everything_back_and_the_old_copy_keeps_serving()
    {
        await using var scene = new DeployScene();
        var (a, b, proxyPort) = BlueGreenScene(scene);
        _ = scene.Service("second", new
        {
            port = scene.Port(),
            start = $"exec {Serve} --port {{port}}",
            daemonizes = false,
            restart = "test {services.app.port} = {first_port} || { echo config test failed; exit 1; }", // as nginx -t && nginx -s reload
            templates = new[] { "second.conf.template" },
            depends_on = new[] { "app" },
        });
        scene.Variables["first_port"] = a;
        scene.Dir.Write("second.conf.template", "upstream 127.0.0.1:{services.app.port}\n");
        _ = scene.Write();
        var first = Outcome(await scene.DeployAsync(), "app");
        var proxy = Owner(proxyPort).Pid;

        scene.Variables["build"] = "2";
        _ = scene.Write();
        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "app");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.OldPid.ShouldBe(first.Pid);
        outcome.Message.ShouldBe(
            $"the new copy on port {b} was ready, but restarting 'second' to switch it failed: restart command failed with exit code 1: test {b} = {a} || " +
            "{ echo config test failed; exit 1; }; the templates of 'second' were restored: second.conf; stopped the new copy, and the copy on port " +
            $"{a} (pid {first.Pid}) still serves; 'proxy' was switched back (its templates restored and restarted again); its templates were restored: app.conf");
        Owner(a).Pid.ShouldBe(first.Pid);
        Served(a).ShouldBe($"pid {first.Pid} build 1");
        Owner(b).State.ShouldBe(ServiceState.Stopped);
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{a}"]);
        scene.Lines("second.conf").ShouldBe([$"upstream 127.0.0.1:{a}"]);
        scene.Lines("app.conf").ShouldBe([$"listen {a}"]);
        scene.Lines("restarts.txt").ShouldBe([$"restart {b}", $"restart {a}"], "switched, then switched back");
        Owner(proxyPort).Pid.ShouldBe(proxy);
        Outcome(result, "proxy").Action.ShouldBe(ServiceAction.Skipped);
    }

    [Fact(Timeout = 120_000)]
    public async Task With_both_ports_held_the_later_copy_is_active_and_the_next_deploy_stops_the_leftover_first()
    {
        await using var scene = new DeployScene();
        var (a, b, _) = BlueGreenScene(scene);
        var first = Outcome(await scene.DeployAsync(), "app");
        using var later = await TestService.StartAsync(scene.Dir, "--port", b.ToString(System.Globalization.CultureInfo.InvariantCulture), "--build", "later");

        var status = new StatusReader().Read(scene.Manifest!, [scene.Manifest!.GetService("app")])[0];
        status.Port.ShouldBe(b);
        status.Pid.ShouldBe(later.Pid);
        status.Note.ShouldBe(
            $"both its ports listen: port {b} (pid {later.Pid}) is the active copy, the one started later; the copy on port {a} (pid {first.Pid}) " +
            "is left from an interrupted deploy, and the next deploy stops it first");

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "app");
        outcome.Action.ShouldBe(ServiceAction.Restarted, outcome.Message);
        outcome.OldPid.ShouldBe(later.Pid);
        outcome.Message.ShouldStartWith($"now on port {a}; stopped the copy on port {b}");
        scene.Events.OfType<DeployWarning>().ShouldContain(w => w.Message ==
            $"stopped the copy on port {a} (pid {first.Pid}) left by an interrupted deploy; the copy on port {b} is the active one");
        IsAlive(first.Pid!.Value).ShouldBeFalse();
        IsAlive(later.Pid).ShouldBeFalse();
        Owner(a).Pid.ShouldBe(outcome.Pid);
        Owner(b).State.ShouldBe(ServiceState.Stopped);
        Served(a).ShouldBe($"pid {outcome.Pid} build 1");
    }

    /// <summary>
    /// Port B is free between deploys: another local user may bind it. Started after the copy on A, it would be taken
    /// for the active copy: {services.app.port} rendered to it (the proxy's traffic to another user), the real copy
    /// stopped as a leftover, the other user's process signalled as the old copy, and by stop.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task Another_users_process_on_the_free_port_is_not_a_copy_not_pointed_at_and_never_signalled()
    {
        await using var scene = new DeployScene();
        var (a, b, _) = BlueGreenScene(scene);
        var first = Outcome(await scene.DeployAsync(), "app");
        first.Action.ShouldBe(ServiceAction.Started, first.Message);
        using var elsewhere = new TempDirectory();
        using var intruder = await TestService.StartAsNobodyAsync(elsewhere, "--port", b.ToString(System.Globalization.CultureInfo.InvariantCulture), "--build", "intruder");

        var status = new StatusReader().Read(scene.Manifest!, [scene.Manifest!.GetService("app")])[0];
        status.Port.ShouldBe(a);
        status.Pid.ShouldBe(first.Pid);
        status.Leftover.ShouldBeNull();
        status.Note.ShouldNotBeNull().ShouldContain($"its other port {b} is in use by a process pbdeploy may not take (port {b} is held by pid {intruder.Pid} of uid 65534");

        scene.Variables["build"] = "2";
        _ = scene.Write();
        var outcome = Outcome(await scene.DeployAsync(), "app");

        outcome.Action.ShouldBe(ServiceAction.Failed, outcome.Message);
        outcome.Message.ShouldStartWith($"port {b}, where the new copy would start, is in use (pid {intruder.Pid}): nothing was started or stopped, the copy on port {a} (pid {first.Pid}) still serves");
        IsAlive(intruder.Pid).ShouldBeTrue("another user's process is never signalled");
        IsAlive(first.Pid!.Value).ShouldBeTrue();
        Served(a).ShouldBe($"pid {first.Pid} build 1");
        scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{a}"], "the proxy still points at the real copy");
        scene.Lines("app.conf").ShouldBe([$"listen {a}"]);

        var stop = Outcome(await scene.StopAsync(new DeployOptions { Services = ["app"] }), "app", Phase.Stop);

        stop.Action.ShouldBe(ServiceAction.Stopped, stop.Message);
        stop.OldPid.ShouldBe(first.Pid);
        IsAlive(first.Pid!.Value).ShouldBeFalse();
        IsAlive(intruder.Pid).ShouldBeTrue("stop leaves another user's process alone");
    }

    /// <summary>
    /// A daemonizing start takes any process started after its command for the server it backgrounds: another user
    /// binding the free port B while the start command runs would be taken for the new copy, the proxy switched to it
    /// and the real copy stopped. The new copy binds as the old one did: a socket of another user on B is no copy.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task Another_user_binding_the_free_port_while_a_daemonizing_copy_starts_is_not_switched_to_nor_signalled()
    {
        await using var scene = new DeployScene();
        var (a, b, _) = BlueGreenScene(scene);
        var app = scene.Manifest!.GetService("app");
        var first = Outcome(await scene.DeployAsync(), "app");
        first.Action.ShouldBe(ServiceAction.Started, first.Message);
        // The next start daemonizes: it says it began, waits for the test, then exits as a server would once backgrounded.
        scene.Service("app", new
        {
            ports = new[] { a, b },
            start = "echo > {project_dir}/starting; while [ ! -e {project_dir}/go ]; do sleep 0.05; done",
            templates = new[] { "app.conf.template" },
            start_timeout = 10,
        });
        _ = scene.Write();
        using var elsewhere = new TempDirectory();
        TestService? intruder = null;
        try
        {
            var deploy = scene.DeployAsync(new DeployOptions { Services = ["app"] });
            await Wait.Until(() => File.Exists(scene.Dir.Combine("starting")), TimeSpan.FromSeconds(20), "the new copy's start command");
            intruder = await TestService.StartAsNobodyAsync(elsewhere, "--port", b.ToString(System.Globalization.CultureInfo.InvariantCulture), "--build", "intruder");
            _ = scene.Dir.Write("go", "");
            var outcome = Outcome(await deploy, "app");

            outcome.Action.ShouldBe(ServiceAction.Failed, outcome.Message);
            outcome.Message.ShouldNotBeNull().ShouldContain($"port {b} is held by pid {intruder.Pid} of uid 65534");
            outcome.Message.ShouldContain($"the copy on port {a} (pid {first.Pid}) still serves");
            IsAlive(intruder.Pid).ShouldBeTrue("another user's process is never signalled");
            IsAlive(first.Pid!.Value).ShouldBeTrue();
            Served(a).ShouldBe($"pid {first.Pid} build 1");
            scene.Lines("proxy.conf").ShouldBe([$"upstream 127.0.0.1:{a}"], "the proxy was not switched to the other user's process");
            scene.Lines("app.conf").ShouldBe([$"listen {a}"], "app's templates were put back");
        }
        finally
        {
            intruder?.Dispose();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Stop_stops_the_copies_on_both_ports()
    {
        await using var scene = new DeployScene();
        var (a, b, _) = BlueGreenScene(scene);
        var first = Outcome(await scene.DeployAsync(), "app");
        using var later = await TestService.StartAsync(scene.Dir, "--port", b.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var outcome = Outcome(await scene.StopAsync(new DeployOptions { Services = ["app"] }), "app", Phase.Stop);

        outcome.Action.ShouldBe(ServiceAction.Stopped, outcome.Message);
        outcome.Message.ShouldBe($"stopped the copies on both ports: port {a} (pid {first.Pid}), port {b} (pid {later.Pid})");
        IsAlive(first.Pid!.Value).ShouldBeFalse();
        IsAlive(later.Pid).ShouldBeFalse();
        Owner(a).State.ShouldBe(ServiceState.Stopped);
        Owner(b).State.ShouldBe(ServiceState.Stopped);
    }

    /// <summary>
    /// app: blue-green on two ports, its start writing <c>{port}</c> and its template <c>listen {port}</c>; proxy: a
    /// prefork test server in front (reloads on HUP), its template and restart naming <c>{services.app.port}</c>.
    /// </summary>
    private static (int A, int B, int Proxy) BlueGreenScene(
        DeployScene scene, string? proxyRestart = "echo restart {services.app.port} >> {project_dir}/restarts.txt; kill -s HUP {pid}")
    {
        var (a, b, proxy) = (scene.Port(), scene.Port(), scene.Port());
        scene.Variables["build"] = "1";
        scene.Variables["delay"] = "0";
        scene.Service("app", new
        {
            ports = new[] { a, b },
            start = $"echo start {{port}} build {{build}} >> {{project_dir}}/starts.txt; test {{build}} != bad || exit 3; exec {Serve} --port {{port}} --build {{build}} --delay {{delay}}",
            daemonizes = false,
            templates = new[] { "app.conf.template" },
            start_timeout = 20,
        });
        scene.Service("proxy", new
        {
            port = proxy,
            start = $"exec {Serve} --port {{port}} --workers 1 --hup-reload",
            daemonizes = false,
            restart = proxyRestart,
            templates = new[] { "proxy.conf.template" },
            depends_on = new[] { "app" },
            stop_timeout = 5,
        });
        scene.Dir.Write("app.conf.template", "listen {port}\n");
        scene.Dir.Write("proxy.conf.template", "upstream 127.0.0.1:{services.app.port}\n");
        _ = scene.Write();
        return (a, b, proxy);
    }

    /// <summary>What the test server answers on <paramref name="port"/>: <c>pid PID build B</c>.</summary>
    private static string Served(int port)
    {
        using var client = new TcpClient("127.0.0.1", port);
        using var reader = new StreamReader(client.GetStream());
        return reader.ReadLine() ?? "";
    }
}
