using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>A failing service fails the build; Cake's own listing options show the generated tasks.</summary>
public sealed class FailureAndListingTests
{
    [Fact(Timeout = 300_000)]
    public async Task A_failing_service_fails_the_build_with_its_name_and_reason_and_dryrun_lists_the_tasks()
    {
        using var dir = new TempDirectory();
        var good = TestService.FreePort();
        var bad = TestService.FreePort();
        using var cleanup = new PortCleanup(good, bad);
        _ = Manifests.Write(dir, $"\"good\": {Manifests.Server(good)}, \"bad\": {Manifests.Server(bad, "--exit 3")}");
        var script = CakeRunner.Reference + """
            var deploy = PbDeployTasks("pbdeploy.json");
            Task("Smoke").IsDependentOn(deploy["Deploy"]).Does(() => Information("smoke test ran"));
            RunTarget(Argument("target", "Smoke"));
            """;

        var dryRun = await CakeRunner.RunAsync(dir, script, "--target=Smoke", "--dryrun");
        var listing = await CakeRunner.RunAsync(dir, script, "--description");
        var failed = await CakeRunner.RunAsync(dir, script, "--target=Smoke");
        var goodAfter = new ProcessFinder().FindPortOwner(good).State;

        dryRun.ExitCode.ShouldBe(0, dryRun.Output);
        // Deploy runs the pipelines itself: the phase tasks it depends on do nothing, and the dry run leaves them out.
        dryRun.Output.ShouldMatch(@"1\. Deploy\s+2\. Smoke");
        dryRun.Output.ShouldNotContain("PbDeploy start/restart");

        listing.ExitCode.ShouldBe(0, listing.Output);
        foreach (var task in (string[])["Before", "StartOrRestart", "After", "Stop", "Deploy"])
        {
            listing.Output.ShouldMatch($@"(?m)^\s*{task}\s+PbDeploy: ");
            listing.Output.ShouldMatch($@"(?m)^\s*{task}:good\s+PbDeploy: ");
            listing.Output.ShouldMatch($@"(?m)^\s*{task}:bad\s+PbDeploy: ");
        }

        listing.Output.ShouldContain($"bad (port {bad})");

        failed.ExitCode.ShouldNotBe(0, failed.Output);
        failed.Output.ShouldContain("bad: FAILED in start/restart: it exited (exit code 3) before it was ready");
        failed.Output.ShouldContain("testservice: exiting with 3");
        failed.Output.ShouldContain("PbDeploy deploy failed: bad: it exited (exit code 3)");
        failed.Output.ShouldContain("good: started");
        failed.Output.ShouldNotContain("smoke test ran");
        goodAfter.ShouldBe(ServiceState.Running);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_failed_before_fails_its_service_and_dependents_while_the_others_deploy_then_the_build_fails()
    {
        using var dir = new TempDirectory();
        var broken = TestService.FreePort();
        var dependent = TestService.FreePort();
        var fine = TestService.FreePort();
        using var cleanup = new PortCleanup(broken, dependent, fine);
        _ = Manifests.Write(dir, $$"""
            "broken": {{Manifests.Server(broken, extra: ", \"before\": \"exit 4\"")}},
            "dependent": {{Manifests.Server(dependent, extra: ", \"depends_on\": [\"broken\"]")}},
            "fine": {{Manifests.Server(fine, extra: ", \"after\": \"touch {project_dir}/fine-after\"")}}
            """);
        var script = CakeRunner.Reference + """
            PbDeployTasks("pbdeploy.json");
            RunTarget(Argument("target", "Deploy"));
            """;

        var result = await CakeRunner.RunAsync(dir, script, "--target=Deploy");
        var owners = new ProcessFinder().FindPortOwners([broken, dependent, fine]);

        result.ExitCode.ShouldNotBe(0, result.Output);
        result.Output.ShouldContain("PbDeploy deploy failed: broken: before command failed with exit code 4: exit 4");
        result.Output.ShouldContain("not run: it depends on 'broken', which failed in before");
        result.Output.ShouldContain("fine: started");
        owners[fine].State.ShouldBe(ServiceState.Running);
        File.Exists(dir.Combine("fine-after")).ShouldBeTrue("the independent service went on through its after command");
        owners[broken].State.ShouldBe(ServiceState.Stopped);
        owners[dependent].State.ShouldBe(ServiceState.Stopped);
    }
}
