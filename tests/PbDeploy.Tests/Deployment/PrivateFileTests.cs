using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>
/// The files a deploy writes are its own: command output in a 0600 file of a 0700 folder, logs never through another
/// user's link or into another user's file, nothing blocking on a FIFO, and a daemonizing start's output kept in its log.
/// </summary>
public sealed class PrivateFileTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_commands_output_file_is_0600_in_the_projects_0700_private_folder_while_it_runs_and_is_removed_after()
    {
        await using var scene = new DeployScene();
        var web = scene.Server("web");
        // The command looks at its own stdout: the file pbdeploy opened for it, and that file's folder.
        web["before"] = "f=$(readlink /proc/$$/fd/1); echo \"$(stat -L -c '%a %u' /proc/$$/fd/1) $(stat -c '%a %u' \"$(dirname \"$f\")\") $(dirname \"$f\")\" > {project_dir}/seen.txt";
        web["after"] = "echo after";

        var result = await scene.DeployAsync();

        result.Succeeded.ShouldBeTrue(string.Join('\n', result.Outcomes.Select(o => o.Message)));
        scene.Lines("seen.txt").ShouldBe([$"600 0 700 0 {scene.Dir.Combine(".pbdeploy")}"]);
        Directory.GetFiles(scene.Dir.Combine(".pbdeploy")).ShouldBeEmpty("no temporary output file is left");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("mkdir {0}", "pbdeploy's private folder {0} belongs to uid 65534, not to this user (uid 0); remove it, and run again.")]
    [InlineData("mkdir {0}.real && ln -s {0}.real {0}", "{0} is a symbolic link, not a folder of this user's; pbdeploy keeps its private files there: remove it, and run again.")]
    public async Task A_private_folder_another_user_made_first_in_a_shared_project_folder_is_refused_and_no_command_runs(string plant, string expected)
    {
        await using var scene = new DeployScene($"planted-private-{plant.Length}");
        File.SetUnixFileMode(scene.ProjectDir, (UnixFileMode)Convert.ToInt32("1777", 8));
        var privateFolder = scene.Dir.Combine(".pbdeploy");
        await OtherUser.RunAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, plant, privateFolder));
        scene.Server("web")["before"] = "touch {project_dir}/before-ran";

        var outcome = Outcome(await scene.DeployAsync(), "web", Phase.Before);

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, privateFolder));
        File.Exists(scene.Dir.Combine("before-ran")).ShouldBeFalse();
        Directory.GetFileSystemEntries(privateFolder).ShouldBeEmpty("nothing of root's went into the other user's folder");
    }

    /// <summary>In a project folder as /tmp is (1777), another user makes the missing cwd, or a link for it, with a script in it.</summary>
    [Theory(Timeout = 60_000)]
    [InlineData("mkdir -m 755 {0}", "{0} belongs to uid 65534, another user, in the folder {1} that others can write, so that user could replace it with a link; choose another place, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS=65534")]
    [InlineData("mkdir -m 755 {0}.real && ln -s {0}.real {0}", "{0} is a symbolic link owned by uid 65534, another user, who could point it anywhere; point the manifest at the real folder")]
    public async Task A_cwd_another_user_made_in_a_shared_project_folder_is_refused_and_no_command_runs_there(string plant, string expected)
    {
        await using var scene = new DeployScene($"planted-cwd-{plant.Length}");
        File.SetUnixFileMode(scene.ProjectDir, (UnixFileMode)Convert.ToInt32("1777", 8));
        var cwd = scene.Dir.Combine("app");
        await OtherUser.RunAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, plant, cwd) + $" && echo 'touch {scene.Dir.Combine("install-ran")}' > {cwd}/install.sh");
        var web = scene.Server("web");
        web["cwd"] = "app";
        web["before"] = "sh ./install.sh";

        var outcome = Outcome(await scene.DeployAsync(), "web", Phase.Before);

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            $"refusing to run the commands of service 'web' in {cwd}: "
            + string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, cwd, scene.ProjectDir) + ", or fix 'cwd' in the manifest.");
        File.Exists(scene.Dir.Combine("install-ran")).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failed_command_leaves_no_output_file_in_the_private_folder()
    {
        await using var scene = new DeployScene();
        scene.Server("web")["before"] = "echo broken; exit 3";

        var result = await scene.DeployAsync();

        Outcome(result, "web", Phase.Before).Output.ShouldBe("broken");
        Directory.GetFiles(scene.Dir.Combine(".pbdeploy")).ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_log_path_that_another_user_linked_to_a_root_file_is_refused_and_the_file_is_untouched()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var victim = scene.Dir.Write("root-only/passwd", "root:x:0:0\n");
        var shared = OtherUser.SharedFolder(scene.Dir, "shared");
        await OtherUser.RunAsync($"ln -s {victim} {shared}/web.log");
        scene.Server("web", port: port)["log"] = "shared/web.log";

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            $"the log {shared}/web.log is a symbolic link; pbdeploy never writes through a link: remove the link, or set 'log' to the real file.");
        File.ReadAllText(victim).ShouldBe("root:x:0:0\n");
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_daemonizing_start_whose_log_another_user_linked_is_refused_and_the_linked_file_is_untouched()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var victim = scene.Dir.Write("root-only/passwd", "root:x:0:0\n");
        var shared = OtherUser.SharedFolder(scene.Dir, "shared");
        await OtherUser.RunAsync($"ln -s {victim} {shared}/web.log");
        scene.Service("web", new { port, start = "echo started; touch {project_dir}/start-ran", log = "shared/web.log" });

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldStartWith($"the log {shared}/web.log is a symbolic link");
        File.ReadAllText(victim).ShouldBe("root:x:0:0\n");
        File.Exists(scene.Dir.Combine("start-ran")).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_log_another_user_planted_in_a_sticky_shared_folder_is_refused_and_gets_none_of_the_output()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var shared = OtherUser.SharedFolder(scene.Dir, "shared");
        await OtherUser.RunAsync($"echo planted > {shared}/web.log");
        scene.Server("web", port: port)["log"] = "shared/web.log";

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            $"refusing to write the log {shared}/web.log: it belongs to uid {OtherUser.Uid}, another user, in the folder {shared} that others can write; "
            + "remove it, or choose another place, or set 'log' to another file.");
        File.ReadAllText($"{shared}/web.log").ShouldBe("planted\n");
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    /// <summary>Where hard links to other users' files are allowed (fs.protected_hardlinks=0), or in a folder the attacker owns.</summary>
    [Fact(Timeout = 60_000)]
    public async Task A_log_that_is_a_second_hard_link_to_a_root_file_is_refused_and_the_file_gets_none_of_the_output()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var victim = scene.Dir.Write("root-only/shadow", "root:secret\n");
        using (var ln = System.Diagnostics.Process.Start("ln", [victim, scene.Dir.Combine("web.log")]))
        {
            await ln.WaitForExitAsync();
        }

        scene.Server("web", port: port)["log"] = "web.log";

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe($"the log {scene.Dir.Combine("web.log")} has 2 hard links, so it may be another file too; remove it, or set 'log' to another file.");
        File.ReadAllText(victim).ShouldBe("root:secret\n");
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_log_in_a_folder_anyone_can_write_without_the_sticky_bit_is_refused()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var open = OtherUser.SharedFolder(scene.Dir, "open", sticky: false);
        scene.Server("web", port: port)["log"] = "open/web.log";

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldStartWith($"refusing to write the log {open}/web.log: its folder {open} is writable by other users (mode 0777) and not sticky");
        Directory.GetFileSystemEntries(open).ShouldBeEmpty();
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_log_under_roots_folder_in_a_folder_anyone_can_write_is_refused_before_any_of_its_folders_is_created()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var open = OtherUser.SharedFolder(scene.Dir, "open", sticky: false);
        Directory.CreateDirectory($"{open}/logs");
        scene.Server("web", port: port)["log"] = "open/logs/web/web.log";

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            $"refusing to write the log {open}/logs/web/web.log: the folder {open} above it is writable by other users (mode 0777) and not sticky, "
            + $"so another user could replace {open}/logs with a link; run chmod o-w,g-w {open} (or chmod +t), or choose another place, or set 'log' to another file.");
        Directory.GetFileSystemEntries($"{open}/logs").ShouldBeEmpty();
        Owner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_log_that_is_a_fifo_is_refused_at_once_and_nothing_starts()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var fifo = scene.Dir.Combine("web.log");
        scene.Server("web", port: port)["log"] = "web.log";
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        try
        {
            var outcome = Outcome(await scene.DeployAsync(), "web");

            outcome.Action.ShouldBe(ServiceAction.Failed);
            outcome.Message.ShouldBe($"the log {fifo} is a FIFO, not a regular file; remove it, or set 'log' to a regular file.");
            Owner(port).State.ShouldBe(ServiceState.Stopped);
        }
        finally
        {
            // Opening a FIFO read-write never blocks, and releases a writer stuck opening it (the old code's child).
            using var release = new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_daemonizing_start_and_the_server_it_backgrounds_write_to_the_services_log_which_stays()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Service("web", new { port, start = $"{Serve} --port {{port}} & echo started in the background" });

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Started);
        var pid = outcome.Pid.ShouldNotBeNull();
        var log = scene.Dir.Combine(".pbdeploy", "logs", "web.log");
        new FileInfo($"/proc/{pid}/fd/1").LinkTarget.ShouldBe(log, "the server writes to the log itself, not to a deleted file");
        (await EventuallyAsync(() => File.Exists(log) && File.ReadAllText(log).Contains($"pid {pid} listening", StringComparison.Ordinal)))
            .ShouldBeTrue("the server's later output is in the log");
        File.ReadAllText(log).ShouldContain("started in the background\n");
        File.GetUnixFileMode(log).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failed_daemonizing_start_shows_what_it_wrote_this_time_and_its_log_keeps_the_earlier_runs()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        var log = scene.Dir.Write(".pbdeploy/logs/web.log", "from an earlier run\n");
        scene.Service("web", new { port, start = "echo cannot bind; exit 4" });

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Output.ShouldBe("cannot bind");
        File.ReadAllText(log).ShouldBe("from an earlier run\ncannot bind\n");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_library_callers_command_without_a_project_writes_its_output_to_a_0600_file_of_the_users_0700_runtime_folder()
    {
        using var dir = new TempDirectory();
        var command = "f=$(readlink /proc/$$/fd/1); d=$(dirname \"$f\"); echo \"$(stat -L -c '%a %u' /proc/$$/fd/1) $(stat -c '%a %u' \"$d\") $d $f\" > seen.txt; echo done";

        var result = await PbDeploy.Processes.ShellCommand.RunAsync(command, dir.Path, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, CancellationToken.None);

        result.Output.ShouldBe("done\n");
        var seen = File.ReadAllText(dir.Combine("seen.txt")).Trim().Split(' ');
        seen[..4].ShouldBe(["600", "0", "700", "0"]);
        seen[4].ShouldNotBe(Path.GetTempPath().TrimEnd('/'), "not in a folder every user can write");
        Path.GetDirectoryName(seen[5]).ShouldBe(seen[4]);
        File.Exists(seen[5]).ShouldBeFalse("the output file is removed");
    }
}
