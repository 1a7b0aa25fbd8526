using PbDeploy.Deployment;

namespace PbDeploy.Tests.Deployment;

/// <summary>The words of outcomes and of the closing line, written once for every front end.</summary>
public sealed class DeployTextTests
{
    private static ServiceOutcome Outcome(string service, Phase phase, ServiceAction action, string? message = null) =>
        new() { Service = service, Phase = phase, Action = action, Message = message };

    [Fact]
    public void The_closing_line_counts_what_became_of_each_service()
    {
        var text = DeployText.Summary("deploy", [
            Outcome("db", Phase.Before, ServiceAction.CommandsRan),
            Outcome("db", Phase.StartOrRestart, ServiceAction.Restarted),
            Outcome("web", Phase.Before, ServiceAction.Nothing),
            Outcome("web", Phase.StartOrRestart, ServiceAction.LeftRunning),
            Outcome("worker", Phase.StartOrRestart, ServiceAction.LeftRunning),
            Outcome("db", Phase.After, ServiceAction.CommandsRan),
        ], TimeSpan.FromSeconds(1.2));

        text.ShouldBe("deploy done in 1.2 s: 1 restarted, 2 left running");
    }

    [Fact]
    public void The_closing_line_of_a_failed_run_names_the_failed_with_their_phase_then_those_not_run()
    {
        var text = DeployText.Summary("deploy", [
            Outcome("db", Phase.Before, ServiceAction.Failed, "before command failed with exit code 4: ./migrate"),
            Outcome("app", Phase.Before, ServiceAction.Skipped, "not run: it depends on 'db', which failed or was skipped"),
            Outcome("web", Phase.StartOrRestart, ServiceAction.Started),
            Outcome("cache", Phase.StartOrRestart, ServiceAction.Failed, "it exited (exit code 3) before it was ready"),
            Outcome("db", Phase.StartOrRestart, ServiceAction.Skipped, "not run: 'db' failed in before"),
            Outcome("app", Phase.StartOrRestart, ServiceAction.Skipped, "not run: it depends on 'db', which failed or was skipped"),
            Outcome("worker", Phase.StartOrRestart, ServiceAction.Started),
            Outcome("worker", Phase.After, ServiceAction.Skipped, "not run: it depends on 'cache', which failed or was skipped"),
        ], TimeSpan.FromSeconds(3));

        text.ShouldBe("deploy failed in 3.0 s: db failed in before; cache failed in start/restart; app, worker's after not run; 1 started");
    }

    [Fact]
    public void A_stop_that_found_nothing_says_so_and_an_empty_run_has_nothing_to_do()
    {
        DeployText.Summary("stop", [Outcome("web", Phase.Stop, ServiceAction.NotRunning)], TimeSpan.Zero).ShouldBe("stop done in 0.0 s: 1 not running");
        DeployText.Summary("stop", [], TimeSpan.Zero).ShouldBe("stop done in 0.0 s: nothing to do");
    }

    [Fact]
    public void A_skip_says_skipped_once_and_the_failures_give_one_reason_per_service()
    {
        var skipped = Outcome("app", Phase.StartOrRestart, ServiceAction.Skipped, "not run: it depends on 'db', which failed or was skipped");
        var outcomes = new[]
        {
            Outcome("db", Phase.Before, ServiceAction.Failed, "before command failed with exit code 4: ./migrate"),
            Outcome("db", Phase.StartOrRestart, ServiceAction.Skipped, "not run: 'db' failed in before"),
            skipped,
        };

        DeployText.Outcome(skipped).ShouldBe("skipped start/restart: it depends on 'db', which failed or was skipped");
        DeployText.Outcome(outcomes[0]).ShouldBe("FAILED in before: command failed with exit code 4: ./migrate");
        DeployText.Failures("deploy", outcomes).ShouldBe(
            "PbDeploy deploy failed: db: before command failed with exit code 4: ./migrate; app: not run: it depends on 'db', which failed or was skipped");
    }
}
