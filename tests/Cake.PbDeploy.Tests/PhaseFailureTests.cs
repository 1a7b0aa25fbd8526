using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>A failing phase fails its own task; names that clash; two manifests' lines told apart by the prefix.</summary>
public sealed class PhaseFailureTests
{
    [Fact(Timeout = 300_000)]
    public async Task A_failed_before_fails_the_Before_task_itself_whose_OnError_fires_and_the_later_phases_do_not_repeat_it()
    {
        using var dir = new TempDirectory();
        var broken = TestService.FreePort();
        var fine = TestService.FreePort();
        using var cleanup = new PortCleanup(broken, fine);
        _ = Manifests.Write(dir, $$"""
            "broken": {{Manifests.Server(broken, extra: ", \"before\": \"echo broken-output; exit 4\"")}},
            "fine": {{Manifests.Server(fine, extra: ", \"before\": \"sleep 1; touch {project_dir}/fine-before\"")}}
            """);
        var script = CakeRunner.Reference + """
            Task("Deploy").Does(() => Information("the script's own Deploy"));
            var site = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings { TaskPrefix = "Site." });
            if (HasArgument("handle"))
            {
                site["Before"].OnError(exception => Information("on error: {0}", exception.Message));
            }

            // The types of the aliases need no namespace in a script (the PbDeploy alias hides the PbDeploy namespace).
            Task("Types").Does(() =>
            {
                DeployResult result = null;
                ServiceAction action = ServiceAction.Started;
                ServiceState state = ServiceState.Running;
                PbDeployException failure = null;
                ManifestException bad = null;
                global::PbDeploy.Deployment.Phase phase = Phase.Before;
                Information("types: {0} {1} {2} {3}", action, state, phase, result is null && failure is null && bad is null);
            });
            Task("Up").IsDependentOn(site["Before"]).IsDependentOn(site["StartOrRestart"]);
            RunTarget(Argument("target", "Up"));
            """;
        var clash = CakeRunner.Reference + """
            Task("Deploy").Does(() => Information("the script's own Deploy"));
            PbDeployTasks("pbdeploy.json");
            RunTarget("Deploy");
            """;

        var failed = await CakeRunner.RunAsync(dir, script);
        var finePid = new ProcessFinder().FindPortOwner(fine).Pid;
        var handled = await CakeRunner.RunAsync(dir, script, "--handle");
        var owners = new ProcessFinder().FindPortOwners([broken, fine]);
        var types = await CakeRunner.RunAsync(dir, script, "--target=Types");
        var clashed = await CakeRunner.RunAsync(dir, clash);

        failed.ExitCode.ShouldNotBe(0, failed.Output);
        failed.Output.ShouldMatch(@"Site\.Before\s+[0-9:.]+\s+Failed", "Cake's summary names the phase task that failed");
        failed.Output.ShouldContain("An error occurred when executing task 'Site.Before'");
        failed.Output.ShouldNotContain("custom teardown action");
        failed.Output.ShouldContain("[Site.] broken: FAILED in before: command failed with exit code 4: echo broken-output; exit 4");
        failed.Output.ShouldContain("[Site.]     broken-output");
        failed.Output.ShouldContain("[Site.] PbDeploy before failed: broken: before command failed with exit code 4");
        failed.Output.ShouldContain("[Site.] fine: before done", customMessage: "the independent service finished its phase first");
        File.Exists(dir.Combine("fine-before")).ShouldBeTrue();
        failed.Output.ShouldNotContain("[Site.] PbDeploy start/restart");
        finePid.ShouldBeNull("the run stopped at the failed task");

        handled.ExitCode.ShouldBe(0, handled.Output);
        handled.Output.ShouldContain("on error: [Site.] PbDeploy before failed: broken: before command failed with exit code 4");
        handled.Output.ShouldContain("[Site.] fine: started, pid");
        handled.Output.ShouldContain("[Site.] broken: skipped start/restart");
        handled.Output.ShouldNotContain("start/restart failed", customMessage: "broken's failure is said once, by Before");
        handled.Output.ShouldMatch(@"Site\.StartOrRestart\s+[0-9:.]+\s+Succeeded");
        owners[fine].State.ShouldBe(ServiceState.Running);
        owners[broken].State.ShouldBe(ServiceState.Stopped);

        types.ExitCode.ShouldBe(0, types.Output);
        types.Output.ShouldContain("types: Started Running Before True");

        clashed.ExitCode.ShouldNotBe(0, clashed.Output);
        clashed.Output.ShouldContain("PbDeployTasks(\"pbdeploy.json\"): the script already has a task named 'Deploy'; give PbDeploy's tasks a prefix: PbDeployTasks(\"pbdeploy.json\", new PbDeployTaskSettings { TaskPrefix = \"Site.\" })");
    }

    [Fact(Timeout = 300_000)]
    public async Task A_service_that_fails_to_start_again_shows_only_the_log_lines_of_this_run()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        _ = Manifests.Write(dir, $"\"bad\": {Manifests.Server(port, "--exit 3")}");
        var script = CakeRunner.Reference + """
            var deploy = PbDeployTasks("pbdeploy.json");
            RunTarget(Argument("target", "Deploy"));
            """;

        var first = await CakeRunner.RunAsync(dir, script);
        var second = await CakeRunner.RunAsync(dir, script, "--target=StartOrRestart");

        first.ExitCode.ShouldNotBe(0, first.Output);
        second.ExitCode.ShouldNotBe(0, second.Output);
        second.Output.ShouldMatch(@"StartOrRestart\s+[0-9:.]+\s+Failed");
        var log = dir.Combine(".pbdeploy/logs/bad.log");
        File.ReadAllText(log).Split("testservice: exiting with 3").Length.ShouldBe(3, "both runs wrote to the log");
        second.Output.ShouldContain($"    (the lines written to {log} since this run began at ");
        second.Output.Split("testservice: exiting with 3").Length.ShouldBe(2, second.Output);
    }
}
