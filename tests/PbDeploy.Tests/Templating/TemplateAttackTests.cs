using System.Diagnostics;
using PbDeploy.Manifest;
using PbDeploy.Templating;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Templating.TestManifest;

namespace PbDeploy.Tests.Templating;

/// <summary>
/// Root renders templates where another user (nobody, through setpriv) has planted links, files, FIFOs and setuid
/// templates: root's files stay untouched, no target is ever setuid, and nothing blocks.
/// </summary>
public sealed class TemplateAttackTests
{
    private static readonly UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static IReadOnlyList<RenderedFile> Render(TempDirectory dir, string source, string target)
    {
        var location = new SourceLocation(dir.Combine("pbdeploy.json"), 7, 9);
        var service = Service("web", """{ "port": 8080 }""", dir.Path) with { Templates = [new TemplateSpec(source, target, location)] };
        var manifest = NewManifest(projectDir: dir.Path, services: service);
        return TemplateWriter.Write(manifest, service, VariableScope.ForService(manifest, service, null));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_link_planted_by_another_user_at_a_target_in_a_sticky_shared_folder_is_refused_and_roots_file_is_untouched()
    {
        using var dir = new TempDirectory();
        var victim = dir.Write("root-only/shadow", "root's secret\n");
        var shared = OtherUser.SharedFolder(dir, "shared");
        dir.Write("app.conf.template", "listen {port}\n");
        await OtherUser.RunAsync($"ln -s {victim} {shared}/app.conf");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "shared/app.conf"));

        error.Message.ShouldBe(
            $"{shared}/app.conf: the target of template app.conf.template of service 'web' is a symbolic link; pbdeploy never writes through a link: "
            + $"remove the link, or point the manifest at the real file ({dir.Combine("pbdeploy.json")}:7:9).");
        File.ReadAllText(victim).ShouldBe("root's secret\n");
        new FileInfo($"{shared}/app.conf").LinkTarget.ShouldBe(victim);
        Directory.GetFileSystemEntries(shared).ShouldBe([$"{shared}/app.conf"], "no temporary file is left");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_target_under_a_folder_link_another_user_planted_is_refused_and_roots_folder_gets_nothing()
    {
        using var dir = new TempDirectory();
        var rootOnly = dir.Combine("root-only");
        Directory.CreateDirectory(rootOnly);
        var shared = OtherUser.SharedFolder(dir, "shared");
        dir.Write("app.conf.template", "listen {port}\n");
        await OtherUser.RunAsync($"ln -s {rootOnly} {shared}/conf");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "shared/conf/app.conf"));

        error.Message.ShouldBe(
            $"{shared}/conf/app.conf: the target of template app.conf.template of service 'web' must not be written: {shared}/conf is a symbolic link owned by uid {OtherUser.Uid}, "
            + $"another user, who could point it anywhere; point the manifest at the real folder ({dir.Combine("pbdeploy.json")}:7:9).");
        Directory.GetFileSystemEntries(rootOnly).ShouldBeEmpty();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_target_in_a_folder_anyone_can_write_without_the_sticky_bit_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var shared = OtherUser.SharedFolder(dir, "open", sticky: false);
        dir.Write("app.conf.template", "listen {port}\n");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "open/app.conf"));

        error.Message.ShouldBe(
            $"{shared}/app.conf: the target of template app.conf.template of service 'web' must not be written: its folder {shared} is writable by other users "
            + "(mode 0777) and not sticky, so another user could put a link there; make the folder writable only by its owner, or choose another place "
            + $"({dir.Combine("pbdeploy.json")}:7:9).");
        Directory.GetFileSystemEntries(shared).ShouldBeEmpty();
        await Task.CompletedTask;
    }

    /// <summary>A target folder of mode 0755 that another user owns: its owner can replace the file whatever the mode.</summary>
    [Fact(Timeout = 30_000)]
    public async Task A_target_in_a_folder_another_user_owns_is_refused_even_when_only_its_owner_can_write_it()
    {
        using var dir = new TempDirectory();
        var theirs = dir.Combine("theirs");
        Directory.CreateDirectory(theirs);
        var chown = await TestProgram.RunAsync("chown", [OtherUser.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), theirs], TimeSpan.FromSeconds(10));
        chown.ExitCode.ShouldBe(0, chown.Stderr);
        dir.Write("app.conf.template", "listen {port}\n");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "theirs/app.conf"));

        error.Message.ShouldBe(
            $"{theirs}/app.conf: the target of template app.conf.template of service 'web' must not be written: its folder {theirs} belongs to uid {OtherUser.Uid}, another user, "
            + $"who could replace the file; choose a folder of yours, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS={OtherUser.Uid} "
            + $"({dir.Combine("pbdeploy.json")}:7:9).");
        Directory.GetFileSystemEntries(theirs).ShouldBeEmpty();
    }

    /// <summary>
    /// The folder is root's and 0755, but the folder above it is anyone's: another user renames it away and puts a
    /// link to a root folder in its place between the check and the write (the real tool lost that race in 25 tries).
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task A_target_in_roots_folder_under_a_folder_anyone_can_write_is_refused_since_another_user_could_swap_it_for_a_link()
    {
        using var dir = new TempDirectory();
        var open = OtherUser.SharedFolder(dir, "open", sticky: false);
        var conf = Path.Combine(open, "conf");
        Directory.CreateDirectory(conf);
        var rootOnly = dir.Combine("root-only");
        Directory.CreateDirectory(rootOnly);
        dir.Write("app.conf.template", "listen {port}\n");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "open/conf/app.conf"));

        error.Message.ShouldBe(
            $"{conf}/app.conf: the target of template app.conf.template of service 'web' must not be written: the folder {open} above it is writable by other users "
            + $"(mode 0777) and not sticky, so another user could replace {conf} with a link; run chmod o-w,g-w {open} (or chmod +t), or choose another place "
            + $"({dir.Combine("pbdeploy.json")}:7:9).");
        Directory.GetFileSystemEntries(conf).ShouldBeEmpty();
        await OtherUser.RunAsync($"mv {conf} {open}/old && ln -s {rootOnly} {conf}"); // what the refusal prevents
        Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "open/conf/app.conf"));
        Directory.GetFileSystemEntries(rootOnly).ShouldBeEmpty();
    }

    /// <summary>The folder is root's and 0755, but another user owns the folder above it (as www-data owns /srv/app): that user can swap it.</summary>
    [Fact(Timeout = 30_000)]
    public async Task A_target_in_roots_folder_under_a_folder_another_user_owns_is_refused()
    {
        using var dir = new TempDirectory();
        var theirs = dir.Combine("theirs");
        var conf = Path.Combine(theirs, "conf");
        Directory.CreateDirectory(conf);
        await RunAsRootAsync($"chown {OtherUser.Uid} {theirs} && chmod 755 {theirs}");
        dir.Write("app.conf.template", "listen {port}\n");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "theirs/conf/app.conf"));

        error.Message.ShouldBe(
            $"{conf}/app.conf: the target of template app.conf.template of service 'web' must not be written: the folder {theirs} above it belongs to uid {OtherUser.Uid}, "
            + $"another user, who could replace {conf} with a link; choose another place, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS={OtherUser.Uid} ({dir.Combine("pbdeploy.json")}:7:9).");
        Directory.GetFileSystemEntries(conf).ShouldBeEmpty();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_target_in_a_folder_another_user_made_in_a_sticky_shared_folder_is_refused_whatever_its_mode()
    {
        using var dir = new TempDirectory();
        var shared = OtherUser.SharedFolder(dir, "shared");
        dir.Write("app.conf.template", "listen {port}\n");
        await OtherUser.RunAsync($"mkdir -m 755 {shared}/conf");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "shared/conf/app.conf"));

        error.Message.ShouldContain(
            $"must not be written: {shared}/conf belongs to uid {OtherUser.Uid}, another user, in the folder {shared} that others can write, so that user could replace it with a link; choose another place, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS={OtherUser.Uid}");
        Directory.GetFileSystemEntries($"{shared}/conf").ShouldBeEmpty();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_target_another_user_owns_in_a_sticky_shared_folder_is_refused_and_left_as_it_is()
    {
        using var dir = new TempDirectory();
        var shared = OtherUser.SharedFolder(dir, "shared");
        dir.Write("app.conf.template", "listen {port}\n");
        await OtherUser.RunAsync($"echo planted > {shared}/app.conf");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "shared/app.conf"));

        error.Message.ShouldContain($"must not be written: it belongs to uid {OtherUser.Uid}, another user, in the folder {shared} that others can write; remove it, or choose another place");
        File.ReadAllText($"{shared}/app.conf").ShouldBe("planted\n");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_target_of_its_own_in_a_sticky_shared_folder_is_written_with_a_rename_over_its_path()
    {
        using var dir = new TempDirectory();
        var shared = OtherUser.SharedFolder(dir, "shared");
        dir.Write("app.conf.template", "listen {port}\n");

        Render(dir, "app.conf.template", "shared/app.conf");

        File.ReadAllText($"{shared}/app.conf").ShouldBe("listen 8080\n");
        new FileInfo($"{shared}/app.conf").LinkTarget.ShouldBeNull();
        await Task.CompletedTask;
    }

    [Theory(Timeout = 30_000)]
    [InlineData("4755", "755")]
    [InlineData("6755", "755")]
    [InlineData("7755", "755")]
    [InlineData("2640", "640")]
    public async Task A_setuid_setgid_or_sticky_template_gives_a_target_with_the_permission_bits_only(string templateMode, string targetMode)
    {
        using var dir = new TempDirectory($"setuid-{templateMode}");
        var template = dir.Write("run.sh.template", "#!/bin/sh\nexec serve --port {port}\n");
        await RunAsRootAsync($"chmod {templateMode} {template}");
        dir.Write("run.sh", "old");

        Render(dir, "run.sh.template", "run.sh");

        File.GetUnixFileMode(dir.Combine("run.sh")).ShouldBe((UnixFileMode)Convert.ToInt32(targetMode, 8));
        File.ReadAllText(dir.Combine("run.sh")).ShouldBe("#!/bin/sh\nexec serve --port 8080\n");
    }

    /// <summary>A template another user owns, or can write, or a link of theirs in place of one: its text would become root's config or script.</summary>
    [Theory(Timeout = 30_000)]
    [InlineData("owned", "belongs to uid 65534, another user")]
    [InlineData("writable", "is writable by other users (mode 0666), any of them")]
    [InlineData("link", "is a symbolic link of uid 65534, another user")]
    public async Task A_template_another_user_owns_or_can_write_is_refused_and_the_target_is_untouched(string how, string expected)
    {
        using var dir = new TempDirectory($"foreign-template-{how}");
        var shared = OtherUser.SharedFolder(dir, "shared");
        var template = $"{shared}/run.sh.template";
        switch (how)
        {
            case "owned":
                await OtherUser.RunAsync($"printf '#!/bin/sh\\nid\\n' > {template} && chmod 755 {template}");
                break;
            case "writable":
                File.WriteAllText(template, "#!/bin/sh\n");
                await RunAsRootAsync($"chmod 666 {template}");
                break;
            default:
                var roots = dir.Write("root-only/run.sh.template", "#!/bin/sh\n");
                await OtherUser.RunAsync($"ln -s {roots} {template}");
                break;
        }

        dir.Write("run.sh", "old");

        var error = Should.Throw<PbDeployException>(() => Render(dir, "shared/run.sh.template", "run.sh"));

        error.Message.ShouldBe(
            $"{template}: the template {expected}, who could make it say anything (listed in templates of service 'web' at {dir.Combine("pbdeploy.json")}:7:9); "
            + "use a template of yours that only you can write, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS.");
        File.ReadAllText(dir.Combine("run.sh")).ShouldBe("old");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unchanged_target_that_is_setuid_loses_the_bit()
    {
        using var dir = new TempDirectory();
        var template = dir.Write("run.sh.template", "#!/bin/sh\n");
        File.SetUnixFileMode(template, (UnixFileMode)Convert.ToInt32("4755", 8));
        var target = dir.Write("run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(target, (UnixFileMode)Convert.ToInt32("4755", 8));

        Render(dir, "run.sh.template", "run.sh").Single().Changed.ShouldBeFalse();

        File.GetUnixFileMode(target).ShouldBe((UnixFileMode)Convert.ToInt32("755", 8));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unchanged_target_that_is_a_second_hard_link_to_a_root_file_is_replaced_and_the_root_files_mode_is_untouched()
    {
        using var dir = new TempDirectory();
        var victim = dir.Write("root-only/shadow", "same\n");
        File.SetUnixFileMode(victim, Mode0600);
        var template = dir.Write("app.conf.template", "same\n");
        File.SetUnixFileMode(template, (UnixFileMode)Convert.ToInt32("755", 8));
        await RunAsRootAsync($"ln {victim} {dir.Combine("app.conf")}");

        Render(dir, "app.conf.template", "app.conf").Single().Changed.ShouldBeTrue();

        File.GetUnixFileMode(victim).ShouldBe(Mode0600);
        File.GetUnixFileMode(dir.Combine("app.conf")).ShouldBe((UnixFileMode)Convert.ToInt32("755", 8));
        File.ReadAllText(victim).ShouldBe("same\n");
    }

    /// <summary>
    /// A large 0600 template takes a while to write and flush: a watcher that lists the folder all along sees its
    /// temporary file, and never with more than 0600 (the old writer created it 0644 and set the mode at the end).
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task A_0600_templates_temporary_file_is_never_readable_by_others_while_it_is_written()
    {
        using var dir = new TempDirectory();
        var template = dir.Write("secret.env.template", "PORT={port}\n" + string.Concat(Enumerable.Repeat(new string('s', 1023) + "\n", 32 * 1024)));
        File.SetUnixFileMode(template, Mode0600);
        var seen = new List<UnixFileMode>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var file in Directory.GetFiles(dir.Path, ".secret.env.pbdeploy-tmp-*"))
                {
                    try
                    {
                        seen.Add(File.GetUnixFileMode(file));
                    }
                    catch (IOException)
                    {
                        // renamed meanwhile
                    }
                }
            }
        });

        for (var i = 0; i < 5 && seen.Count == 0; i++)
        {
            File.Delete(dir.Combine("secret.env"));
            Render(dir, "secret.env.template", "secret.env");
        }

        await stop.CancelAsync();
        await watcher;
        seen.ShouldNotBeEmpty("the watcher saw the temporary file being written");
        seen.Distinct().ShouldBe([Mode0600]);
        File.GetUnixFileMode(dir.Combine("secret.env")).ShouldBe(Mode0600);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_empty_template_whose_target_is_a_fifo_is_refused_at_once_and_nothing_is_written()
    {
        using var dir = new TempDirectory();
        dir.Write("app.conf.template", "");
        await RunAsRootAsync($"mkfifo {dir.Combine("app.conf")}");
        var clock = Stopwatch.StartNew();

        var error = await Task.Run(() => Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "app.conf")));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        error.Message.ShouldBe(
            $"{dir.Combine("app.conf")}: the target of template app.conf.template of service 'web' is a FIFO, not a regular file; remove it, or choose another target "
            + $"({dir.Combine("pbdeploy.json")}:7:9).");
        Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order().ShouldBe(["app.conf", "app.conf.template"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_target_that_is_a_device_is_refused_and_stays_a_device()
    {
        using var dir = new TempDirectory();
        dir.Write("null.template", "");
        var device = dir.Combine("null");
        await RunAsRootAsync($"mknod -m 0666 {device} c 1 3");

        var error = await Task.Run(() => Should.Throw<PbDeployException>(() => Render(dir, "null.template", "null")));

        error.Message.ShouldContain($"{device}: the target of template null.template of service 'web' is a character device, not a regular file; remove it, or choose another target");
        File.GetUnixFileMode(device).ShouldBe((UnixFileMode)Convert.ToInt32("666", 8));
        (await OutputOfAsync($"stat -c %F {device}")).ShouldBe("character special file\n");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_template_that_is_a_fifo_is_refused_at_once()
    {
        using var dir = new TempDirectory();
        var template = dir.Combine("app.conf.template");
        await RunAsRootAsync($"mkfifo {template}");
        var clock = Stopwatch.StartNew();

        var error = await Task.Run(() => Should.Throw<PbDeployException>(() => Render(dir, "app.conf.template", "app.conf")));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        error.Message.ShouldBe(
            $"{template}: the template is a FIFO, not a regular file (listed in templates of service 'web' at {dir.Combine("pbdeploy.json")}:7:9); point the manifest at a regular file.");
        File.Exists(dir.Combine("app.conf")).ShouldBeFalse();
    }

    private static async Task RunAsRootAsync(string command) => _ = await OutputOfAsync(command);

    private static async Task<string> OutputOfAsync(string command)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, command);
        return output;
    }
}
