using System.Text.Json;
using PbDeploy.Deployment;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>The <c>shell</c> setting: which shell runs every command of a service.</summary>
public sealed class ShellTests
{
    [Fact(Timeout = 60_000)]
    public async Task With_shell_bash_the_Python_READMEs_kill_s_SIGHUP_restart_reloads_a_real_server()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", "--workers 2 --hup-reload", port);
        web["restart"] = "kill -s SIGHUP {pid}";
        web["shell"] = "bash";
        var manifest = scene.Write();
        manifest.Warnings.ShouldBeEmpty("bash knows kill -s SIGHUP");
        var master = Outcome(await scene.DeployAsync(), "web").Pid!.Value;
        (await EventuallyAsync(() => Workers(scene).Count == 2)).ShouldBeTrue();
        var oldWorkers = Workers(scene);

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Restarted, outcome.Message);
        outcome.Pid.ShouldBe(master);
        scene.Events.OfType<CommandStarted>().ShouldContain(e => e.Kind == CommandKinds.Restart && e.Command == $"kill -s SIGHUP {master}");
        (await EventuallyAsync(() => Workers(scene) is { Count: 2 } now && !now.Intersect(oldWorkers).Any())).ShouldBeTrue("SIGHUP reached the master");
    }

    [Fact(Timeout = 60_000)]
    public async Task Under_the_default_shell_kill_s_SIGHUP_is_warned_of_at_load_and_fails_as_dash_refuses_it()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--hup-reload", port)["restart"] = "kill -s SIGHUP {pid}";
        var manifest = scene.Write();
        var warning = manifest.Warnings.ShouldHaveSingleItem();
        warning.Message.ShouldBe(
            "services.web.restart: kill -s SIGHUP is bash syntax (a signal name with the SIG prefix, which dash's kill refuses), and this command runs with /bin/sh; "
            + "set \"shell\": \"bash\" in the service or at the top level, or name the signal without SIG (kill -s HUP)");
        var master = Outcome(await scene.DeployAsync(), "web").Pid!.Value;

        var outcome = Outcome(await scene.DeployAsync(), "web");

        if (!File.ResolveLinkTarget("/bin/sh", returnFinalTarget: true)?.Name.StartsWith("dash", StringComparison.Ordinal) ?? true)
        {
            return; // a /bin/sh that is bash takes it: the warning is still right for the machines where it is dash
        }

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message!.ShouldContain("restart command failed");
        IsAlive(master).ShouldBeTrue("the signal was never sent");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_top_level_shell_runs_before_start_after_and_stop_and_a_services_own_shell_overrides_it()
    {
        await using var scene = new DeployScene();
        var shell = scene.Dir.Write("logging-shell", "#!/bin/sh\nprintf '%s\\n' \"$2\" >> \"$SHELL_LOG\"\nexec /bin/sh \"$@\"\n");
        File.SetUnixFileMode(shell, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        scene.Shell = shell;
        scene.Env["SHELL_LOG"] = scene.Dir.Combine("shell.log");
        var web = scene.Server("web", port: scene.Port());
        web["before"] = "echo before-web";
        web["after"] = "echo after-web";
        web["stop"] = "kill {pid}";
        var plain = scene.Server("plain", port: scene.Port());
        plain["before"] = "echo before-plain";
        plain["shell"] = "sh";

        var deployed = await scene.DeployAsync();
        deployed.Succeeded.ShouldBeTrue(string.Join("; ", deployed.Outcomes.Select(o => o.Message)));
        var stopped = await scene.StopAsync();
        stopped.Succeeded.ShouldBeTrue(string.Join("; ", stopped.Outcomes.Select(o => o.Message)));

        var pid = Outcome(deployed, "web").Pid!.Value;
        var start = scene.Events.OfType<CommandStarted>().Single(e => e.Service == "web" && e.Kind == CommandKinds.Start).Command;
        scene.Lines("shell.log").ShouldBe(["echo before-web", start, "echo after-web", $"kill {pid}"], "plain's commands ran with /bin/sh, not through the top-level shell");
        IsAlive(pid).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task Bash_missing_from_PATH_fails_before_anything_runs_naming_the_service_and_the_setting()
    {
        await using var scene = new DeployScene();
        Directory.CreateDirectory(scene.Dir.Combine("empty-bin"));
        scene.Env["PATH"] = scene.Dir.Combine("empty-bin");
        var web = scene.Server("web", port: scene.Port());
        web["before"] = "/usr/bin/touch {project_dir}/before-ran";
        web["shell"] = "bash";

        var error = await Should.ThrowAsync<EnvironmentException>(() => scene.DeployAsync());

        error.Message.ShouldBe(
            $"cannot run the commands of service 'web' with \"shell\": \"bash\": there is no bash on PATH ({scene.Dir.Combine("empty-bin")}); "
            + "install it, or set \"shell\" to the absolute path of a shell that is there.");
        File.Exists(scene.Dir.Combine("before-ran")).ShouldBeFalse();
        scene.LiveProcesses().ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task An_absolute_shell_that_is_not_there_fails_before_anything_runs()
    {
        await using var scene = new DeployScene();
        scene.Shell = "/nonexistent/zsh";
        scene.Server("web", port: scene.Port());

        var error = await Should.ThrowAsync<EnvironmentException>(() => scene.DeployAsync());

        error.Message.ShouldBe(
            "cannot run the commands of service 'web' with \"shell\": \"/nonexistent/zsh\": there is no executable file there; "
            + "install it, or set \"shell\" to the absolute path of a shell that is there.");
        scene.LiveProcesses().ShouldBeEmpty();
    }

    private static List<int> Workers(DeployScene scene)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(scene.Dir.Combine("web.state.json")));
            return [.. json.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetInt32())];
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return [];
        }
    }
}
