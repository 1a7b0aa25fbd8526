using PbDeploy.Deployment;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>The reasons the core gives for a step not run: said once, with phases named as users say them.</summary>
public sealed class SkipWordsTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_step_not_run_says_not_run_once_and_names_the_phase_in_users_words()
    {
        await using var scene = new DeployScene();
        scene.Service("db", new { port = scene.Port(), start = $"exec {Serve} --port {{port}}", daemonizes = false, before = "exit 7", after = "true" });
        scene.Service("web", new { port = scene.Port(), start = $"exec {Serve} --port {{port}}", daemonizes = false, depends_on = new[] { "db" }, before = "true", after = "true" });

        var result = await scene.DeployAsync();

        var skipped = result.Outcomes.Where(o => o.Action == ServiceAction.Skipped).ToList();
        skipped.ShouldContain(o => o.Service == "web");
        skipped.ShouldAllBe(o => o.Message!.StartsWith("not run: ") && !o.Message.Contains("not run: not run"));
        result.Outcomes.Where(o => o.Service == "db").ShouldHaveSingleItem().Action.ShouldBe(ServiceAction.Failed); // its pipeline ends there: one row
        skipped.ShouldHaveSingleItem().Message.ShouldBe("not run: it depends on 'db', which failed in before");
    }
}
