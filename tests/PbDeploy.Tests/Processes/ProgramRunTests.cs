using System.Diagnostics;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Processes;

/// <summary>The one way a program is run to its end: output to private files, stderr apart when asked, a timeout that stops the whole group.</summary>
public sealed class ProgramRunTests
{
    private static ProgramRequest Sh(string script, string dir) => new("sh", ["-c", script], dir, ProgramRun.CurrentEnvironment()) { ProjectDir = dir };

    [Fact(Timeout = 30_000)]
    public async Task A_program_found_on_PATH_runs_with_its_arguments_and_its_exit_code_and_output_come_back()
    {
        using var dir = new TempDirectory();

        var run = await ProgramRun.RunAsync(
            new ProgramRequest("sh", ["-c", "printf 'out %s\\n' \"$0\"; echo err >&2; exit 3", "zero"], dir.Path, ProgramRun.CurrentEnvironment()) { ProjectDir = dir.Path },
            CancellationToken.None);

        run.Exit.Code.ShouldBe(3);
        run.Output.ShouldBe("out zero\nerr\n");
        run.Error.ShouldBe("");
        run.TimedOut.ShouldBeFalse();
        Directory.GetFiles(dir.Combine(".pbdeploy")).ShouldBeEmpty("the output file is removed");
    }

    [Fact(Timeout = 30_000)]
    public async Task Stderr_asked_for_apart_comes_back_apart()
    {
        using var dir = new TempDirectory();

        var run = await ProgramRun.RunAsync(Sh("echo out; echo err >&2", dir.Path) with { SeparateError = true }, CancellationToken.None);

        run.Output.ShouldBe("out\n");
        run.Error.ShouldBe("err\n");
        Directory.GetFiles(dir.Combine(".pbdeploy")).ShouldBeEmpty("both output files are removed");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_program_past_its_timeout_is_stopped_with_its_whole_group_and_says_so()
    {
        using var dir = new TempDirectory();
        var pidFile = dir.Combine("child.pid");
        var clock = Stopwatch.StartNew();

        // The shell ignores SIGTERM and so does its background child: only the SIGKILL to the group ends them.
        var run = await ProgramRun.RunAsync(
            Sh($"trap '' TERM; sh -c 'trap \"\" TERM; sleep 60' & echo $! > {pidFile}; wait", dir.Path) with { Timeout = TimeSpan.FromMilliseconds(500) },
            CancellationToken.None);

        run.TimedOut.ShouldBeTrue();
        run.Exit.Signal.ShouldBe(9);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        (await DeployScene.EventuallyAsync(() => Signals.Describe(child) is null or { IsZombie: true })).ShouldBeTrue("the background child went with its group");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cancelled_run_stops_the_program_and_throws()
    {
        using var dir = new TempDirectory();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Should.ThrowAsync<OperationCanceledException>(() => ProgramRun.RunAsync(Sh("sleep 60", dir.Path), cancel.Token));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        Directory.GetFiles(dir.Combine(".pbdeploy")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_program_that_is_not_there_is_one_line_naming_it()
    {
        using var dir = new TempDirectory();

        var e = await Should.ThrowAsync<PbDeployException>(() => ProgramRun.RunAsync(
            new ProgramRequest("pbdeploy-no-such-program", [], dir.Path, ProgramRun.CurrentEnvironment()), CancellationToken.None));

        e.Message.ShouldBe("cannot run pbdeploy-no-such-program: there is no such program on PATH.");
        ProgramRun.Resolve("sh").ShouldNotBeNull().ShouldEndWith("/sh");
        ProgramRun.Resolve("/nonexistent/python3").ShouldBeNull();
    }
}
