using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;
using static PbDeploy.Cli.Tests.EndToEnd.RealServices;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>
/// examples/dotnet-app as its README runs it: <c>dotnet publish</c>, then <c>pbdeploy</c>; change the code, publish
/// and deploy again; the new build must replace the old (<c>"restart": true</c>), not leave it serving.
/// </summary>
public sealed class DotnetAppTests
{
    [Fact(Timeout = 300_000)]
    public async Task A_published_dotnet_app_is_replaced_by_each_deploy_and_the_new_build_serves()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = CopyExample(dir, "dotnet-app");
        EditManifest(manifest, json => json["services"]!["app"]!["port"] = port);

        await PublishAsync(dir);
        var first = await Pbdeploy.RunAsync("--manifest", manifest);
        first.ExitCode.ShouldBe(0, first.Stdout + first.Stderr);
        var one = await StatusAsync(manifest, "app");
        first.Stdout.ShouldContain($"app: started, pid {one.Pid}");
        (await GetAsync(port)).ShouldBe($"Hello from build 1, pid {one.Pid}\n");

        var program = dir.Combine("App", "Program.cs");
        File.WriteAllText(program, File.ReadAllText(program).Replace("\"build 1\"", "\"build 2\"", StringComparison.Ordinal));
        await PublishAsync(dir);
        var second = await Pbdeploy.RunAsync("--manifest", manifest);
        second.ExitCode.ShouldBe(0, second.Stdout + second.Stderr);
        var two = await StatusAsync(manifest, "app");
        two.Pid.ShouldNotBe(one.Pid);
        second.Stdout.ShouldContain($"app: restarted, pid {one.Pid} → {two.Pid}");
        (await GetAsync(port)).ShouldBe($"Hello from build 2, pid {two.Pid}\n");
        IsGone(one.Pid!.Value).ShouldBeTrue("the old build must be stopped, not left serving");
        File.ReadAllText(dir.Combine("logs", "app.log")).ShouldContain("Now listening on: http://127.0.0.1:" + port);

        var stop = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
        stop.Stdout.ShouldContain($"app: stopped, pid {two.Pid}");
        TestService.IsFree(port).ShouldBeTrue();
    }

    /// <summary><c>dotnet publish App -c Release -o publish</c> in <paramref name="dir"/>, with no build server left behind.</summary>
    private static async Task PublishAsync(TempDirectory dir)
    {
        var result = await TestProgram.RunAsync(
            "dotnet",
            ["publish", "App", "-c", "Release", "-o", "publish", "--nologo", "--disable-build-servers", "-nodeReuse:false", "-p:UseSharedCompilation=false"],
            TimeSpan.FromSeconds(120),
            dir.Path,
            new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["MSBUILDDISABLENODEREUSE"] = "1" });
        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
    }
}
