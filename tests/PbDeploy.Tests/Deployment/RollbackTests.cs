using System.Net.Sockets;
using System.Text.Json.Nodes;
using PbDeploy.Deployment;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>A failed start or restart puts the files rendered for it back as they were before the deploy.</summary>
public sealed class RollbackTests
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact(Timeout = 60_000)]
    public async Task A_restart_refused_by_its_config_check_restores_the_old_config_bytes_and_mode_and_the_old_process_keeps_serving()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", port: port);
        web["templates"] = new JsonArray("app.conf.template");
        web["restart"] = "grep -qx 'workers 2' {project_dir}/app.conf || { echo config test failed; exit 1; }"; // as nginx -t && nginx -s reload
        scene.Dir.Write("app.conf.template", "workers 2\n");
        var first = Outcome(await scene.DeployAsync(), "web");
        first.Action.ShouldBe(ServiceAction.Started);
        var conf = scene.Dir.Combine("app.conf");
        File.SetUnixFileMode(conf, Mode0600); // the old file's own mode, which the template's (0644) would replace

        scene.Dir.Write("app.conf.template", "workers two\n");
        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            "restart command failed with exit code 1: grep -qx 'workers 2' " + scene.ProjectDir + "/app.conf || { echo config test failed; exit 1; }" +
            "; its templates were restored: app.conf");
        File.ReadAllText(conf).ShouldBe("workers 2\n");
        File.GetUnixFileMode(conf).ShouldBe(Mode0600);
        Directory.GetFiles(scene.ProjectDir, "*pbdeploy-tmp*").ShouldBeEmpty();
        Owner(port).Pid.ShouldBe(first.Pid);
        IsAlive(first.Pid!.Value).ShouldBeTrue();
        (await ReadLineAsync(port)).ShouldBe($"pid {first.Pid}");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restore_never_makes_a_setuid_root_file_from_a_target_another_user_owned()
    {
        // The service's user owns its config (common), in a folder of root's: pbdeploy may replace it. That user makes
        // it a setuid, setgid program of theirs; a failed restart then puts the "old file" back as a new file of
        // root's: with the old mode bits, that would be a setuid-root program with any content the user chose.
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", port: port);
        web["templates"] = new JsonArray("app.conf.template");
        web["restart"] = "grep -qx 'workers 2' {project_dir}/app.conf || { echo config test failed; exit 1; }";
        scene.Dir.Write("app.conf.template", "workers 2\n");
        Outcome(await scene.DeployAsync(), "web").Action.ShouldBe(ServiceAction.Started);
        var conf = scene.Dir.Combine("app.conf");
        File.SetUnixFileMode(scene.ProjectDir, (UnixFileMode)Convert.ToInt32("755", 8));
        using (var chown = System.Diagnostics.Process.Start("chown", [$"{OtherUser.Uid}:{OtherUser.Uid}", conf]))
        {
            await chown.WaitForExitAsync();
            chown.ExitCode.ShouldBe(0);
        }

        await OtherUser.RunAsync($"printf '#!/bin/sh\\nid\\n' > {conf} && chmod 6755 {conf}");
        File.GetUnixFileMode(conf).HasFlag(UnixFileMode.SetUser).ShouldBeTrue("the other user made their file setuid");

        scene.Dir.Write("app.conf.template", "workers two\n");
        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        var restored = FileStatOf(conf);
        (restored.Mode & Convert.ToInt32("7000", 8)).ShouldBe(0, $"the file put back by uid {restored.Uid} has no setuid, setgid or sticky bit (mode {Convert.ToString(restored.Mode, 8)})");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_huge_sparse_target_of_another_user_is_neither_read_whole_nor_written_back_in_full_by_a_restore()
    {
        // A sparse file of 1 GiB costs its owner nothing; read into memory and written back by root, it would cost
        // root a GiB of memory and a GiB of disk, beyond the owner's quota.
        await using var scene = new DeployScene();
        var web = scene.Server("web", port: scene.Port());
        web["templates"] = new JsonArray("app.conf.template");
        web["restart"] = "grep -qx 'workers 2' {project_dir}/app.conf || { echo config test failed; exit 1; }";
        scene.Dir.Write("app.conf.template", "workers 2\n");
        Outcome(await scene.DeployAsync(), "web").Action.ShouldBe(ServiceAction.Started);
        var conf = scene.Dir.Combine("app.conf");
        File.SetUnixFileMode(scene.ProjectDir, (UnixFileMode)Convert.ToInt32("755", 8));
        using (var chown = System.Diagnostics.Process.Start("chown", [$"{OtherUser.Uid}:{OtherUser.Uid}", conf]))
        {
            await chown.WaitForExitAsync();
            chown.ExitCode.ShouldBe(0);
        }

        await OtherUser.RunAsync($"truncate -s 1G {conf}");

        scene.Dir.Write("app.conf.template", "workers two\n");
        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldNotBeNull().ShouldContain("it was too large to keep a copy of before the deploy wrote it");
        new FileInfo(conf).Length.ShouldBe("workers two\n".Length, "the rendered file stays; no GiB was written back");
    }

    private static (int Mode, int Uid) FileStatOf(string path)
    {
        var stat = PbDeploy.Platform.FileStat.Lstat(path).ShouldNotBeNull();
        return ((int)stat.Mode & 0xFFF, (int)stat.Uid);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restart_whose_new_config_makes_the_server_fail_readiness_restores_the_old_config()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new
        {
            port,
            start = $"grep -qx good {{project_dir}}/app.conf || exit 3; exec {Serve} --port {{port}}", // the server refuses a bad config
            daemonizes = false,
            restart = true,
            templates = new[] { "app.conf.template" },
        });
        scene.Dir.Write("app.conf.template", "good\n");
        Outcome(await scene.DeployAsync(), "web").Action.ShouldBe(ServiceAction.Started);

        scene.Dir.Write("app.conf.template", "bad\n");
        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldNotBeNull().ShouldContain("before it was ready");
        outcome.Message.ShouldNotBeNull().ShouldEndWith("; its templates were restored: app.conf");
        File.ReadAllText(scene.Dir.Combine("app.conf")).ShouldBe("good\n");

        // The config matches the service again: the next deploy with a good template starts it.
        scene.Dir.Write("app.conf.template", "good\n");
        Outcome(await scene.DeployAsync(), "web").Action.ShouldBe(ServiceAction.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_first_start_that_fails_removes_the_files_rendered_for_it()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new
        {
            port,
            start = "echo bad config; exit 3",
            daemonizes = false,
            templates = new object[] { "app.conf.template", new { source = "app.conf.template", target = "conf/other.conf" } },
        });
        scene.Dir.Write("app.conf.template", "listen {port}\n");
        scene.Dir.Write("conf/keep.txt", "not ours\n");

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldNotBeNull().ShouldEndWith(
            "; its templates were restored: app.conf (removed: it did not exist before), conf/other.conf (removed: it did not exist before)");
        File.Exists(scene.Dir.Combine("app.conf")).ShouldBeFalse();
        File.Exists(scene.Dir.Combine("conf", "other.conf")).ShouldBeFalse();
        File.ReadAllText(scene.Dir.Combine("conf", "keep.txt")).ShouldBe("not ours\n");
        scene.Events.OfType<TemplatesRendered>().ShouldHaveSingleItem(); // they were written, then taken back
    }

    [Fact(Timeout = 60_000)]
    public async Task A_successful_deploy_keeps_the_new_files()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", port: port);
        web["templates"] = new JsonArray("app.conf.template");
        web["restart"] = "grep -q . {project_dir}/app.conf";
        scene.Dir.Write("app.conf.template", "version 1\n");
        Outcome(await scene.DeployAsync(), "web").Action.ShouldBe(ServiceAction.Started);
        File.ReadAllText(scene.Dir.Combine("app.conf")).ShouldBe("version 1\n");

        scene.Dir.Write("app.conf.template", "version 2\n");
        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Restarted);
        (outcome.Message ?? "").ShouldNotContain("restored");
        File.ReadAllText(scene.Dir.Combine("app.conf")).ShouldBe("version 2\n");
    }

    [Fact(Timeout = 60_000)]
    public async Task Only_the_templates_of_the_failed_service_are_restored()
    {
        await using var scene = new DeployScene();
        var good = scene.Server("good");
        good["templates"] = new JsonArray(new JsonObject { ["source"] = "t.template", ["target"] = "good.conf" });
        scene.Service("bad", new
        {
            port = scene.Port(),
            start = "exit 3",
            daemonizes = false,
            templates = new object[] { new { source = "t.template", target = "bad.conf" } },
        });
        scene.Dir.Write("t.template", "{name}\n");

        var result = await scene.DeployAsync();

        Outcome(result, "good").Action.ShouldBe(ServiceAction.Started);
        Outcome(result, "bad").Action.ShouldBe(ServiceAction.Failed);
        File.ReadAllText(scene.Dir.Combine("good.conf")).ShouldBe("good\n");
        File.Exists(scene.Dir.Combine("bad.conf")).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_rollback_that_fails_is_said_in_the_message()
    {
        await using var scene = new DeployScene();
        scene.Service("web", new
        {
            port = scene.Port(),
            start = "rm -r {project_dir}/conf && echo in the way > {project_dir}/conf; exit 3", // its folder is now a file
            daemonizes = false,
            templates = new object[] { new { source = "app.conf.template", target = "conf/app.conf" } },
        });
        scene.Dir.Write("app.conf.template", "x\n");
        Directory.CreateDirectory(scene.Dir.Combine("conf"));

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldNotBeNull().ShouldEndWith(
            $"; restoring its templates failed: conf/app.conf: cannot open its folder {scene.Dir.Combine("conf")}: Not a directory: it holds the new content, " +
            "which the service did not take; put back the old file by hand (or fix the config and deploy again)");
        outcome.Message.ShouldNotBeNull().ShouldNotContain("were restored");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failed_restart_restores_only_the_files_it_changed_and_leaves_an_unchanged_one_untouched()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var web = scene.Server("web", port: port);
        web["templates"] = new JsonArray("app.conf.template", "static.conf.template");
        web["restart"] = "exit 1";
        scene.Dir.Write("app.conf.template", "old\n");
        scene.Dir.Write("static.conf.template", "same\n");
        var pid = Outcome(await scene.DeployAsync(), "web").Pid;
        var unchanged = scene.Dir.Combine("static.conf");
        var stamp = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(unchanged, stamp);

        scene.Dir.Write("app.conf.template", "new\n");
        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldNotBeNull().ShouldEndWith("; its templates were restored: app.conf");
        File.ReadAllText(scene.Dir.Combine("app.conf")).ShouldBe("old\n");
        File.GetLastWriteTimeUtc(unchanged).ShouldBe(stamp);
        Owner(port).Pid.ShouldBe(pid);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_interrupted_first_start_removes_the_files_rendered_for_it()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--delay 20", port)["templates"] = new JsonArray("app.conf.template");
        scene.Dir.Write("app.conf.template", "listen {port}\n");
        scene.Write();
        var result = await scene.DeployInterruptedWhileWaitingForAsync("web");

        result.Interrupted.ShouldBeTrue();
        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            "interrupted while it ran: the step was stopped before it finished; its templates were restored: app.conf (removed: it did not exist before)");
        File.Exists(scene.Dir.Combine("app.conf")).ShouldBeFalse();
        Owner(port).State.ShouldBe(PbDeploy.Processes.ServiceState.Stopped);
    }

    private static async Task<string> ReadLineAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        using var reader = new StreamReader(client.GetStream());
        return (await reader.ReadLineAsync())!;
    }
}
