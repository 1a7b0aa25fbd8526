using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Templating;

namespace PbDeploy.Tests.Hosts;

/// <summary><c>--events json</c>: every event kind survives encoding and decoding, and a line that is no event is said to be one.</summary>
public sealed class DeployEventJsonTests
{
    private static readonly ServiceOutcome Failed = new()
    {
        Service = "app",
        Phase = Phase.StartOrRestart,
        Action = ServiceAction.Failed,
        OldPid = 12,
        Pid = null,
        Duration = TimeSpan.FromSeconds(1.25),
        Message = "start command failed with exit code 3: \"quoted\" \\ and ünïcode",
        Output = "line 1\nline 2\ttab",
    };

    public static TheoryData<DeployEvent> Events() => new(All);

    private static readonly DeployEvent[] All =
    [
        new DeployStarted(["db", "app"], Quick: true),
        new PhaseStarted(Phase.Before, ["app"]),
        new CommandStarted("app", Phase.After, "after", "python3 manage.py migrate"),
        new CommandFinished("app", Phase.Before, "before", new CommandResult("make", new ExitStatus(null, 15), "out\n", TimeSpan.FromMilliseconds(1500)) { TimedOut = true }),
        new Waiting("app", "port 8000 to listen", TimeSpan.FromSeconds(30)),
        new TemplatesRendered("nginx", [new RenderedFile("/p/nginx.conf.template", "/p/nginx.conf", true), new RenderedFile("/p/a.template", "/p/a", false)]),
        new DeployWarning(null, "'daemonize' is not a setting"),
        new DeployWarning("app", "stale pidfile"),
        new WaitingForLock("/run/user/0/pbdeploy/x.lock", "pid 42 (pbdeploy deploy)"),
        new SwitchingOver("app", 8001, 8002, ["nginx", "worker"]),
        new ServiceFinished(Failed),
        new ServiceFinished(new ServiceOutcome { Service = "db", Phase = Phase.Stop, Action = ServiceAction.NotRunning }),
        new DeployFinished(new DeployResult([Failed, Failed with { Service = "web", Action = ServiceAction.Skipped }]) { Interrupted = true }, 1),
    ];

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_event_survives_a_round_trip_as_one_line(DeployEvent original)
    {
        var line = DeployEventJson.Encode(original);

        line.ShouldNotContain('\n');
        line.ShouldStartWith("{\"event\":\"");
        DeployEventJson.TryDecode(line, out var decoded).ShouldBeTrue(line);
        decoded.ShouldNotBeNull();
        decoded.GetType().ShouldBe(original.GetType());
        DeployEventJson.Encode(decoded).ShouldBe(line);
    }

    /// <summary>A remote deploy writes every event a local one raises: one without a JSON form would end it with an exception.</summary>
    [Fact]
    public void Every_event_a_deploy_raises_has_a_json_form()
    {
        var covered = All.Select(e => e.GetType()).ToHashSet();
        var raised = typeof(DeployEvent).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(DeployEvent)) && !t.IsAbstract && t.Namespace == typeof(DeployEvent).Namespace)
            .ToList();

        raised.ShouldNotBeEmpty();
        raised.Where(t => !covered.Contains(t)).Select(t => t.Name).ShouldBeEmpty();
    }

    [Fact]
    public void The_finished_event_carries_the_outcomes_and_the_exit_code()
    {
        var line = DeployEventJson.Encode(new DeployFinished(new DeployResult([Failed]), 1));

        line.ShouldBe(
            "{\"event\":\"finished\",\"outcomes\":[{\"service\":\"app\",\"phase\":\"start_or_restart\",\"action\":\"failed\",\"old_pid\":12,\"pid\":null,\"duration\":1.25,"
            + "\"message\":\"start command failed with exit code 3: \\u0022quoted\\u0022 \\\\ and \\u00FCn\\u00EFcode\",\"output\":\"line 1\\nline 2\\ttab\"}],"
            + "\"interrupted\":false,\"exit_code\":1}");
        DeployEventJson.TryDecode(line, out var decoded).ShouldBeTrue();
        var finished = decoded.ShouldBeOfType<DeployFinished>();
        finished.ExitCode.ShouldBe(1);
        finished.Result.Outcomes.Single().ShouldBe(Failed);
    }

    [Theory]
    [InlineData("Welcome to web1! Last login: yesterday")]
    [InlineData("")]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"kind\": \"no event field\"}")]
    [InlineData("{\"event\": \"service_finished\", \"outcome\": {\"service\": \"app\"}}")]
    public void A_line_that_is_not_an_event_is_said_to_be_text(string line)
    {
        DeployEventJson.TryDecode(line, out var decoded).ShouldBeFalse();
        decoded.ShouldBeNull();
    }

    [Fact]
    public void An_event_of_a_kind_this_version_does_not_know_is_skipped()
    {
        DeployEventJson.TryDecode("{\"event\":\"from_the_future\",\"x\":1}", out var decoded).ShouldBeTrue();
        decoded.ShouldBeNull();
    }
}
