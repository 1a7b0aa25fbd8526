using System.Text.Json;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Deployment;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests.Hosts;

/// <summary><c>--events json</c>: what each host's pbdeploy prints for the host runner, one JSON object a line.</summary>
public sealed class EventsJsonTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_deploy_and_a_stop_print_one_event_a_line_and_last_the_outcomes_with_the_exit_code()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = dir.Write("pbdeploy.json", $$"""
            {
              "hosts": { "web1": { "ssh": "web1", "dir": "/srv/site" } },
              "services": {
                "app": { "port": {{port}}, "start": "exec python3 -m http.server {port} --bind 127.0.0.1", "daemonizes": false, "log": "app.log", "before": "echo preparing" }
              }
            }
            """);

        var deploy = await Pbdeploy.RunAsync("deploy", "--local", "--events", "json", "--manifest", manifest);

        deploy.ExitCode.ShouldBe(0, deploy.Stderr);
        deploy.Stderr.ShouldBeEmpty("the manifest line goes nowhere: stdout is for the runner");
        var events = Decode(deploy.Stdout);
        events[0].ShouldBeOfType<DeployStarted>().Services.ShouldBe(["app"]);
        events.OfType<CommandFinished>().Single(c => c.Kind == "before").Result.Output.ShouldBe("preparing\n");
        events.OfType<ServiceFinished>().Select(f => f.Outcome.Action).ShouldContain(ServiceAction.Started);
        var finished = events[^1].ShouldBeOfType<DeployFinished>();
        finished.ExitCode.ShouldBe(0);
        finished.Result.Outcomes.ShouldContain(o => o.Service == "app" && o.Action == ServiceAction.Started);
        events.OfType<DeployFinished>().Count().ShouldBe(1);

        var stop = await Pbdeploy.RunAsync("stop", "--local", "--events", "json", "--manifest", manifest);
        stop.ExitCode.ShouldBe(0, stop.Stderr);
        Decode(stop.Stdout)[^1].ShouldBeOfType<DeployFinished>().Result.Outcomes.Single().Action.ShouldBe(ServiceAction.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failed_deploy_ends_with_exit_code_1_in_its_last_event()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "app": { "port": {{TestService.FreePort()}}, "start": "echo broken; exit 4" } } }
            """);

        var deploy = await Pbdeploy.RunAsync("--events", "json", "--manifest", manifest);

        deploy.ExitCode.ShouldBe(1);
        var finished = Decode(deploy.Stdout)[^1].ShouldBeOfType<DeployFinished>();
        finished.ExitCode.ShouldBe(1);
        finished.Result.Outcomes.Single(o => o.Action == ServiceAction.Failed).Output!.ShouldContain("broken");
    }

    [Fact(Timeout = 60_000)]
    public async Task Events_json_over_hosts_or_another_format_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", """
            { "hosts": { "web1": { "ssh": "web1", "dir": "/srv/site" } }, "services": { "app": { "port": 8000, "start": "serve" } } }
            """);

        var overHosts = await Pbdeploy.RunAsync("--events", "json", "--manifest", manifest);
        overHosts.ExitCode.ShouldBe(2);
        overHosts.Stderr.ShouldBe("pbdeploy: error: --events json streams a run on this machine; add --local (each host runs pbdeploy --local --events json)\n");

        var xml = await Pbdeploy.RunAsync("--local", "--events", "xml", "--manifest", manifest);
        xml.ExitCode.ShouldBe(2);
        xml.Stderr.ShouldContain("--events takes json, got 'xml'");
    }

    private static List<DeployEvent> Decode(string stdout)
    {
        var events = new List<DeployEvent>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using (JsonDocument.Parse(line))
            {
                // every line is JSON on its own
            }

            DeployEventJson.TryDecode(line, out var e).ShouldBeTrue(line);
            events.Add(e.ShouldNotBeNull(line));
        }

        return events;
    }
}
