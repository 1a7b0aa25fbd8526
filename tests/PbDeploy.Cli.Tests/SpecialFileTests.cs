using System.Diagnostics;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// The real tool given a FIFO or a link where a template or its target should be: one line, exit 2, at once, and
/// nothing started or written (an empty template over a FIFO used to block forever, holding the deploy lock).
/// </summary>
public sealed class SpecialFileTests
{
    [Theory(Timeout = 120_000)]
    [InlineData("deploy")]
    [InlineData("render")]
    public async Task An_empty_template_whose_target_is_a_fifo_exits_2_at_once_in_one_line_and_starts_nothing(string command)
    {
        using var dir = new TempDirectory($"fifo-target-{command}");
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        dir.Write("app.conf.template", "");
        await MkfifoAsync(dir.Combine("app.conf"));
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, "start": "exec sleep 60", "daemonizes": false, "templates": ["app.conf.template"] } } }
            """);
        var at = $"{manifest}:1:{Column(manifest)}";
        var clock = Stopwatch.StartNew();

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], command, "--manifest", manifest);

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        result.ExitCode.ShouldBe(2, result.Stdout + result.Stderr);
        result.Stderr.ShouldBe(
            $"pbdeploy: error: {dir.Combine("app.conf")}: the target of template app.conf.template of service 'web' is a FIFO, not a regular file; "
            + $"remove it, or choose another target ({at}).\n");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
        Directory.Exists(dir.Combine(".pbdeploy")).ShouldBeFalse("nothing ran");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_template_that_is_a_fifo_exits_2_at_once_in_one_line()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        await MkfifoAsync(dir.Combine("app.conf.template"));
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, "start": "exec sleep 60", "daemonizes": false, "templates": ["app.conf.template"] } } }
            """);

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "--manifest", manifest);

        result.ExitCode.ShouldBe(2, result.Stdout + result.Stderr);
        result.Stderr.ShouldBe(
            $"pbdeploy: error: {dir.Combine("app.conf.template")}: the template is a FIFO, not a regular file "
            + $"(listed in templates of service 'web' at {manifest}:1:{Column(manifest)}); point the manifest at a regular file.\n");
        File.Exists(dir.Combine("app.conf")).ShouldBeFalse();
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    /// <summary>Where the manifest lists the template (the port's digits move it).</summary>
    private static int Column(string manifest) => File.ReadAllText(manifest).IndexOf("\"app.conf.template\"", StringComparison.Ordinal) + 1;

    private static async Task MkfifoAsync(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        await mkfifo.WaitForExitAsync();
        mkfifo.ExitCode.ShouldBe(0);
    }
}
