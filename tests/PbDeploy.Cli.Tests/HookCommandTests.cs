using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

public sealed class HookCommandTests
{
    /// <summary>The folders of a bare repository, as git init --bare makes them (without running git).</summary>
    private static string FakeBare(TempDirectory dir, string name = "app.git")
    {
        dir.Write($"{name}/HEAD", "ref: refs/heads/main\n");
        Directory.CreateDirectory(dir.Combine(name, "objects"));
        Directory.CreateDirectory(dir.Combine(name, "refs"));
        Directory.CreateDirectory(dir.Combine(name, "hooks"));
        return dir.Combine(name);
    }

    [Fact(Timeout = 60_000)]
    public async Task Install_writes_both_hooks_executable_calling_this_pbdeploy_by_its_absolute_path()
    {
        using var dir = new TempDirectory();
        var bare = FakeBare(dir);
        var worktree = dir.Combine("srv app");

        var result = await Pbdeploy.RunAsync("hook", "install", bare, "--worktree", worktree, "--branch", "release/1.x");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldBeEmpty();
        foreach (var hook in (string[])["pre-receive", "post-receive"])
        {
            var path = Path.Combine(bare, "hooks", hook);
            result.Stdout.ShouldContain($"wrote {path}: ");
            File.GetUnixFileMode(path).ShouldBe((UnixFileMode)0b111_101_101);
            var text = File.ReadAllText(path);
            text.ShouldStartWith("#!/bin/sh\n");
            text.ShouldContain("branch='release/1.x'\n");
            text.ShouldContain($"exec '{Environment.ProcessPath}' '{Path.Combine(AppContext.BaseDirectory, "pbdeploy.dll")}' \"$@\"");
        }

        File.ReadAllText(Path.Combine(bare, "hooks", "post-receive")).ShouldContain($"worktree='{worktree}'\n");
        Directory.Exists(worktree).ShouldBeTrue();
        Directory.GetFiles(Path.Combine(bare, "hooks"), "*pbdeploy-tmp*").ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task An_existing_hook_is_kept_without_force_and_replaced_with_it()
    {
        using var dir = new TempDirectory();
        var bare = FakeBare(dir);
        var mine = dir.Write("app.git/hooks/post-receive", "#!/bin/sh\necho mine\n");

        var refused = await Pbdeploy.RunAsync("hook", "install", bare, "--worktree", dir.Combine("app"));
        var forced = await Pbdeploy.RunAsync("hook", "install", bare, "--worktree", dir.Combine("app"), "--force");

        refused.ExitCode.ShouldBe(2);
        refused.Stderr.ShouldBe($"pbdeploy: error: {mine} already exists; pass --force to replace it (and merge what it did into docs/git-push.md's hooks by hand), nothing was written\n");
        refused.Stdout.ShouldBeEmpty();
        forced.ExitCode.ShouldBe(0, forced.Stderr);
        File.ReadAllText(mine).ShouldContain("pbdeploy deploy --manifest");
        File.Exists(Path.Combine(bare, "hooks", "pre-receive")).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_repository_or_worktree_is_one_line_and_exit_2_with_nothing_written()
    {
        using var dir = new TempDirectory();
        var bare = FakeBare(dir);
        Directory.CreateDirectory(dir.Combine("plain"));
        Directory.CreateDirectory(dir.Combine("work", ".git"));
        var file = dir.Write("file.txt", "x");

        var cases = new (string[] Args, string Error)[]
        {
            (["hook", "install", dir.Combine("missing.git"), "--worktree", dir.Combine("app")], $"{dir.Combine("missing.git")}: no such folder; create the bare repository first: git init --bare {dir.Combine("missing.git")}"),
            (["hook", "install", dir.Combine("plain"), "--worktree", dir.Combine("app")], $"{dir.Combine("plain")}: not a bare git repository (no HEAD, objects and refs); create one with git init --bare {dir.Combine("plain")}"),
            (["hook", "install", dir.Combine("work"), "--worktree", dir.Combine("app")], $"{dir.Combine("work")}: a working copy, not a bare git repository"),
            (["hook", "install", file, "--worktree", dir.Combine("app")], $"{file}: a file, not a bare git repository"),
            (["hook", "install", bare, "--worktree", file], $"--worktree {file}: a file, not a folder"),
            (["hook", "install", bare, "--worktree", dir.Combine("no", "such", "app")], $"--worktree {dir.Combine("no", "such", "app")}: its folder {dir.Combine("no", "such")} does not exist"),
            (["hook", "install", bare, "--worktree", Path.Combine(bare, "work")], $"--worktree {Path.Combine(bare, "work")}: inside the repository"),
            (["hook", "install", bare, "--worktree", dir.Combine("app"), "--branch", "a b"], "--branch must be a branch name such as main"),
            (["hook", "install", bare], "Option '--worktree' is required."),
        };
        foreach (var (args, error) in cases)
        {
            var result = await Pbdeploy.RunAsync(args);
            result.ExitCode.ShouldBe(2, string.Join(' ', args));
            result.Stderr.ShouldStartWith($"pbdeploy: error: {error}", customMessage: string.Join(' ', args));
            result.Stderr.TrimEnd().Split('\n').Length.ShouldBe(1, result.Stderr);
            result.Stdout.ShouldBeEmpty();
        }

        Directory.GetFiles(Path.Combine(bare, "hooks")).ShouldBeEmpty();
        Directory.Exists(dir.Combine("app")).ShouldBeFalse();
    }

    /// <summary>
    /// Another user who owns the hooks folder, or the folder the worktree goes in, could swap them for links between
    /// the install and a push (read-tree would then write root's checkout wherever the link points): refused.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task A_hooks_folder_or_a_worktree_folder_another_user_owns_is_refused_with_nothing_written()
    {
        using var dir = new TempDirectory();
        var bare = FakeBare(dir);
        var theirs = dir.Combine("theirs");
        Directory.CreateDirectory(theirs);
        File.SetUnixFileMode(dir.Path, File.GetUnixFileMode(dir.Path) | UnixFileMode.OtherExecute);
        await OtherUser.RunAsync($"true"); // nobody exists and can run
        Chown(theirs, OtherUser.Uid);

        var underTheirs = await Pbdeploy.RunAsync("hook", "install", bare, "--worktree", Path.Combine(theirs, "app"));
        Chown(Path.Combine(bare, "hooks"), OtherUser.Uid);
        var theirHooks = await Pbdeploy.RunAsync("hook", "install", bare, "--worktree", dir.Combine("app"));

        underTheirs.ExitCode.ShouldBe(2);
        underTheirs.Stderr.ShouldStartWith($"pbdeploy: error: --worktree {theirs}: it belongs to uid {OtherUser.Uid}");
        Directory.Exists(Path.Combine(theirs, "app")).ShouldBeFalse();
        theirHooks.ExitCode.ShouldBe(2);
        theirHooks.Stderr.ShouldStartWith($"pbdeploy: error: its hooks folder {Path.Combine(bare, "hooks")}: it belongs to uid {OtherUser.Uid}");
        Directory.GetFileSystemEntries(Path.Combine(bare, "hooks")).ShouldBeEmpty();
        Directory.Exists(dir.Combine("app")).ShouldBeFalse();
    }

    private static void Chown(string path, int uid)
    {
        var result = TestProgram.RunAsync("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        result.ExitCode.ShouldBe(0, result.Stderr);
    }

    [Fact(Timeout = 60_000)]
    public async Task Check_renders_in_memory_writes_nothing_and_says_a_bad_template_in_one_line()
    {
        using var dir = new TempDirectory();
        var template = dir.Write("app.conf.template", "port = {port}\n");
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{TestService.FreePort()}}, "start": "true", "templates": ["app.conf.template"] } } }
            """);

        var good = await Pbdeploy.RunAsync("check", "--manifest", manifest);
        File.WriteAllText(template, "port = {prot}\n");
        var bad = await Pbdeploy.RunAsync("check", "--manifest", manifest);

        good.ExitCode.ShouldBe(0, good.Stderr);
        good.Stdout.ShouldBe($"manifest: {manifest}\nok: 1 service, 1 template rendered; nothing written or started\n");
        bad.ExitCode.ShouldBe(2);
        bad.Stderr.ShouldStartWith($"pbdeploy: error: {template}:1:8: unknown variable 'prot'; did you mean 'port'?");
        bad.Stderr.TrimEnd().Split('\n').Length.ShouldBe(1);
        File.Exists(dir.Combine("app.conf")).ShouldBeFalse();
        Directory.Exists(dir.Combine(".pbdeploy")).ShouldBeFalse();
    }
}
