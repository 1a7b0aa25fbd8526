using System.Text.RegularExpressions;
using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>How the generated tasks fit a script's own graph: a manifest written by an earlier task, wiring, Cake's own switches.</summary>
public sealed class WiringTests
{
    private static ServiceState State(int port) => new ProcessFinder().FindPortOwner(port).State;

    [Fact(Timeout = 300_000)]
    public async Task A_manifest_that_an_earlier_task_writes_is_read_when_the_tasks_run_and_IsDependentOn_reaches_every_entry_point()
    {
        using var dir = new TempDirectory();
        var db = TestService.FreePort();
        var web = TestService.FreePort();
        using var cleanup = new PortCleanup(db, web);
        var written = Manifests.Write(dir, $$"""
            "db": {{Manifests.Server(db)}},
            "web": {{Manifests.Server(web, extra: """, "depends_on": ["db"], "before": "echo before-web", "after": "echo after-web" """)}}
            """);
        File.Move(written, dir.Combine("pbdeploy.json.in"));
        var script = CakeRunner.Reference + """
            Task("Build").Does(() => Information("build ran"));
            Task("Generate").Does(() =>
            {
                System.IO.File.Copy("pbdeploy.json.in", "pbdeploy.json", overwrite: true);
                Information("generate ran");
            });
            var deploy = PbDeployTasks("pbdeploy.json");
            deploy.IsDependentOn("Generate");
            RunTarget(Argument("target", "Deploy"));
            """;

        var build = await CakeRunner.RunAsync(dir, script, "--target=Build");
        var description = await CakeRunner.RunAsync(dir, script, "--description");
        var stopMissing = await CakeRunner.RunAsync(dir, script, "--target=Stop");
        var deployRun = await CakeRunner.RunAsync(dir, script, "--target=Deploy", "--verbosity=diagnostic");
        var afterDeploy = (State(db), State(web));
        var wrongName = await CakeRunner.RunAsync(dir, script, "--target=Deploy", "--services=api");
        var stopDb = await CakeRunner.RunAsync(dir, script, "--target=Stop:db");
        var webAlone = await CakeRunner.RunAsync(dir, script, "--target=Deploy:web", "--no-deps");
        var stopAll = await CakeRunner.RunAsync(dir, script, "--target=Stop");
        var afterStop = (State(db), State(web));
        var exclusive = await CakeRunner.RunAsync(dir, script, "--target=Deploy", "--exclusive");
        var afterExclusive = (State(db), State(web));

        build.ExitCode.ShouldBe(0, build.Output);
        build.Output.ShouldContain("build ran");
        build.Output.ShouldNotContain("TearDown", Case.Sensitive);
        build.Output.ShouldNotContain("Teardown", Case.Sensitive);

        description.ExitCode.ShouldBe(0, description.Output);
        description.Output.ShouldMatch(@"(?m)^\s*Deploy\s+PbDeploy: ");
        description.Output.ShouldMatch(@"(?m)^\s*Stop\s+PbDeploy: ");

        stopMissing.ExitCode.ShouldNotBe(0, stopMissing.Output);
        stopMissing.Output.ShouldContain($"PbDeploy: the manifest {dir.Combine("pbdeploy.json")} does not exist; create it (an earlier task may write it), or pass its path to PbDeployTasks(\"path/to/pbdeploy.json\")");
        stopMissing.Output.ShouldNotContain("--manifest");
        stopMissing.Output.ShouldMatch(@"Stop\s+[0-9:.]+\s+Failed", "the task failed, not a teardown");

        deployRun.ExitCode.ShouldBe(0, deployRun.Output);
        afterDeploy.ShouldBe((ServiceState.Running, ServiceState.Running));
        deployRun.IndexOf("generate ran").ShouldBeLessThan(deployRun.IndexOf("db: started, pid"));
        deployRun.Output.ShouldContain("PbDeploy: addin Cake.PbDeploy ");
        deployRun.Output.ShouldContain($"PbDeploy: manifest {dir.Combine("pbdeploy.json")}, project folder {dir.Path}");
        deployRun.Output.ShouldMatch(@"PbDeploy: deploy lock /\S+/deploy-[0-9a-f]{16}\.lock");
        deployRun.Output.ShouldContain("PbDeploy: processes on ports found by netlink sock_diag");

        wrongName.ExitCode.ShouldNotBe(0, wrongName.Output);
        wrongName.Output.ShouldContain($"PbDeploy: --services=api: {dir.Combine("pbdeploy.json")} has no service 'api'; its services are: db, web.");
        wrongName.Output.ShouldNotContain("generate ran", customMessage: "no task ran before the check");

        stopDb.ExitCode.ShouldBe(0, stopDb.Output);
        stopDb.Output.ShouldNotContain("generate ran", customMessage: "Stop does not depend on what IsDependentOn wires");

        webAlone.ExitCode.ShouldBe(0, webAlone.Output);
        webAlone.IndexOf("generate ran").ShouldBeLessThan(webAlone.IndexOf("web: left running"));
        webAlone.Output.ShouldContain("web: deployed without what it depends on (no dependencies), while db is stopped; deploy db too, or drop --no-deps.");
        webAlone.Output.ShouldMatch(@"web: left running, pid \d+ \(.*\); its before and after commands were skipped");

        stopAll.ExitCode.ShouldBe(0, stopAll.Output);
        afterStop.ShouldBe((ServiceState.Stopped, ServiceState.Stopped));

        exclusive.ExitCode.ShouldBe(0, exclusive.Output);
        exclusive.Output.ShouldNotContain("generate ran");
        afterExclusive.ShouldBe((ServiceState.Running, ServiceState.Running), exclusive.Output);
        Regex.IsMatch(exclusive.Output, @"PbDeploy deploy: db, web\n").ShouldBeTrue(exclusive.Output);
    }
}
