using System.Net.Sockets;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>
/// git push to deploy, with real git: a bare repository with the hooks of <c>pbdeploy hook install</c>, a clone, pushes
/// over the local file transport, and a real python service deployed by the post-receive hook.
/// </summary>
public sealed class GitPushTests
{
    private sealed record GitResult(int ExitCode, string Output);

    /// <summary>Runs git in <paramref name="cwd"/> with no user or system configuration, 60 s at most; output and errors together.</summary>
    private static async Task<GitResult> GitAsync(TempDirectory dir, string cwd, params string[] args)
    {
        var result = await TestProgram.RunAsync("git", args, TimeSpan.FromSeconds(60), cwd, new Dictionary<string, string?>
        {
            ["HOME"] = dir.Path,
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_AUTHOR_NAME"] = "PbDeploy tests",
            ["GIT_COMMITTER_NAME"] = "PbDeploy tests",
            ["GIT_AUTHOR_EMAIL"] = "tests@pbdeploy.invalid",
            ["GIT_COMMITTER_EMAIL"] = "tests@pbdeploy.invalid",
        });
        return new GitResult(result.ExitCode, result.Stdout + result.Stderr);
    }

    private static async Task<string> GitOkAsync(TempDirectory dir, string cwd, params string[] args)
    {
        var result = await GitAsync(dir, cwd, args);
        result.ExitCode.ShouldBe(0, $"git {string.Join(' ', args)}: {result.Output}");
        return result.Output.Trim();
    }

    /// <summary>What the test service answers on <paramref name="port"/>: <c>pid N build B</c>.</summary>
    private static async Task<string> AskAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        using var reader = new StreamReader(client.GetStream());
        return (await reader.ReadLineAsync())!;
    }

    private static string Manifest(int port, string build, string template = "app.conf.template") => $$"""
        {
          "variables": { "python": "{{TestService.Python}}", "script": "{{TestService.Script}}", "build": "{{build}}" },
          "services": {
            "web": {
              "port": {{port}},
              "start": "exec {python} {script} --port {port} --build {build}",
              "restart": true,
              "daemonizes": false,
              "stop_timeout": 5,
              "templates": ["{{template}}"]
            }
          }
        }
        """;

    [Fact(Timeout = 300_000)]
    public async Task A_push_deploys_a_broken_push_is_rejected_another_branch_does_nothing_and_the_next_push_replaces()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var bare = dir.Combine("app.git");
        var worktree = dir.Combine("srv", "app");
        var clone = dir.Combine("clone");
        Directory.CreateDirectory(dir.Combine("srv"));
        await GitOkAsync(dir, dir.Path, "init", "--quiet", "--bare", "--initial-branch=main", bare);
        var install = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "hook", "install", bare, "--worktree", worktree);
        install.ExitCode.ShouldBe(0, install.Stdout + install.Stderr);
        await GitOkAsync(dir, dir.Path, "init", "--quiet", "--initial-branch=main", clone);
        await GitOkAsync(dir, clone, "remote", "add", "origin", bare);
        try
        {
            // First push: checked, checked out into the worktree, deployed; the pusher sees the deploy.
            File.WriteAllText(Path.Combine(clone, "pbdeploy.json"), Manifest(port, "one"));
            File.WriteAllText(Path.Combine(clone, "app.conf.template"), "build = {build}\n");
            await GitOkAsync(dir, clone, "add", ".");
            await GitOkAsync(dir, clone, "commit", "--quiet", "-m", "one");
            var first = await GitAsync(dir, clone, "push", "origin", "main");
            first.ExitCode.ShouldBe(0, first.Output);
            first.Output.ShouldContain("remote: ok: 1 service, 1 template rendered");
            first.Output.ShouldContain("remote: web: started, pid");
            first.Output.ShouldContain("remote: pbdeploy: deployed");
            File.ReadAllText(Path.Combine(worktree, "app.conf")).ShouldBe("build = one\n");
            var running = await AskAsync(port);
            running.ShouldEndWith(" build one");
            var deployed = await GitOkAsync(dir, bare, "rev-parse", "main");

            // A template with an unknown variable: rejected with the loader's line, the branch and the service unchanged.
            File.WriteAllText(Path.Combine(clone, "app.conf.template"), "build = {biuld}\n");
            File.WriteAllText(Path.Combine(clone, "pbdeploy.json"), Manifest(port, "two"));
            await GitOkAsync(dir, clone, "commit", "--quiet", "-am", "broken");
            var broken = await GitAsync(dir, clone, "push", "origin", "main");
            broken.ExitCode.ShouldNotBe(0, broken.Output);
            broken.Output.ShouldContain("remote: pbdeploy: error: app.conf.template:1:9: unknown variable 'biuld'; did you mean 'build'?");
            broken.Output.ShouldContain("pbdeploy: push to main rejected");
            broken.Output.ShouldContain("[remote rejected] main -> main (pre-receive hook declined)");
            broken.Output.ShouldNotContain("/tmp/pbdeploy-push.");
            (await GitOkAsync(dir, bare, "rev-parse", "main")).ShouldBe(deployed);
            File.ReadAllText(Path.Combine(worktree, "app.conf")).ShouldBe("build = one\n");
            File.ReadAllText(Path.Combine(worktree, "pbdeploy.json")).ShouldContain("\"build\": \"one\"");
            (await AskAsync(port)).ShouldBe(running);

            // Not even JSON: rejected too.
            File.WriteAllText(Path.Combine(clone, "pbdeploy.json"), "{ \"services\": ");
            await GitOkAsync(dir, clone, "commit", "--quiet", "-am", "not json");
            var notJson = await GitAsync(dir, clone, "push", "origin", "main");
            notJson.ExitCode.ShouldNotBe(0, notJson.Output);
            notJson.Output.ShouldContain("remote: pbdeploy: error: pbdeploy.json:");
            (await GitOkAsync(dir, bare, "rev-parse", "main")).ShouldBe(deployed);

            // Another branch: accepted, neither checked nor deployed.
            var other = await GitAsync(dir, clone, "push", "origin", "main:feature");
            other.ExitCode.ShouldBe(0, other.Output);
            other.Output.ShouldNotContain("remote: pbdeploy");
            (await GitOkAsync(dir, bare, "rev-parse", "feature")).ShouldBe(await GitOkAsync(dir, clone, "rev-parse", "main"));
            File.ReadAllText(Path.Combine(worktree, "app.conf")).ShouldBe("build = one\n");
            (await AskAsync(port)).ShouldBe(running);

            // Fixed: the next push replaces the service; a file the commit no longer has leaves the worktree.
            File.WriteAllText(Path.Combine(clone, "pbdeploy.json"), Manifest(port, "two", "web.conf.template"));
            File.Move(Path.Combine(clone, "app.conf.template"), Path.Combine(clone, "web.conf.template"));
            File.WriteAllText(Path.Combine(clone, "web.conf.template"), "build = {build}\n");
            await GitOkAsync(dir, clone, "add", "-A");
            await GitOkAsync(dir, clone, "commit", "--quiet", "-m", "two");
            var second = await GitAsync(dir, clone, "push", "origin", "main");
            second.ExitCode.ShouldBe(0, second.Output);
            second.Output.ShouldContain("remote: web: restarted", customMessage: second.Output);
            (await AskAsync(port)).ShouldEndWith(" build two");
            File.ReadAllText(Path.Combine(worktree, "web.conf")).ShouldBe("build = two\n");
            File.Exists(Path.Combine(worktree, "app.conf.template")).ShouldBeFalse();
            (await GitOkAsync(dir, bare, "symbolic-ref", "HEAD")).ShouldBe("refs/heads/main");
        }
        finally
        {
            _ = await Pbdeploy.RunAsync("stop", "--manifest", Path.Combine(worktree, "pbdeploy.json"));
        }

        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failed_deploy_is_shown_to_the_pusher_and_the_push_stays()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var bare = dir.Combine("app.git");
        var worktree = dir.Combine("app");
        var clone = dir.Combine("clone");
        await GitOkAsync(dir, dir.Path, "init", "--quiet", "--bare", "--initial-branch=main", bare);
        var install = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "hook", "install", bare, "--worktree", worktree, "--branch", "production");
        install.ExitCode.ShouldBe(0, install.Stdout + install.Stderr);
        await GitOkAsync(dir, dir.Path, "init", "--quiet", "--initial-branch=main", clone);
        await GitOkAsync(dir, clone, "remote", "add", "origin", bare);
        File.WriteAllText(Path.Combine(clone, "README"), "no manifest yet\n");
        await GitOkAsync(dir, clone, "add", ".");
        await GitOkAsync(dir, clone, "commit", "--quiet", "-m", "no manifest");
        var noManifest = await GitAsync(dir, clone, "push", "origin", "main:production");
        noManifest.ExitCode.ShouldNotBe(0, noManifest.Output);
        noManifest.Output.ShouldContain("has no pbdeploy.json at its root; push to production rejected", customMessage: noManifest.Output);
        (await GitAsync(dir, bare, "rev-parse", "--verify", "--quiet", "production")).ExitCode.ShouldNotBe(0);
        File.WriteAllText(Path.Combine(clone, "pbdeploy.json"), $$"""
            { "services": { "web": { "port": {{port}}, "start": "exec {{TestService.Python}} {{TestService.Script}} --port {port} --exit 3", "daemonizes": false } } }
            """);
        await GitOkAsync(dir, clone, "add", ".");
        await GitOkAsync(dir, clone, "commit", "--quiet", "-m", "fails");

        var main = await GitAsync(dir, clone, "push", "origin", "main");
        var production = await GitAsync(dir, clone, "push", "origin", "main:production");

        main.ExitCode.ShouldBe(0, main.Output);
        main.Output.ShouldNotContain("remote: pbdeploy");
        production.ExitCode.ShouldBe(0, production.Output); // git push succeeds: the commit has landed
        production.Output.ShouldContain("remote: web: FAILED");
        production.Output.ShouldContain("remote: pbdeploy: error: the deploy of ");
        production.Output.ShouldContain("failed (exit 1)");
        (await GitOkAsync(dir, bare, "rev-parse", "production")).ShouldBe(await GitOkAsync(dir, clone, "rev-parse", "main"));
        (await GitOkAsync(dir, bare, "symbolic-ref", "HEAD")).ShouldBe("refs/heads/main");
        File.Exists(Path.Combine(worktree, "pbdeploy.json")).ShouldBeTrue();
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }
}
