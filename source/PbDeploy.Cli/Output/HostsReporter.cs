using System.Collections.Concurrent;
using System.Globalization;
using PbDeploy.Deployment;
using PbDeploy.Hosts;
using PbDeploy.Manifest;

namespace PbDeploy.Cli.Output;

/// <summary>
/// Renders a deploy or stop over hosts: each host's events as a local deploy's, every line starting with the host's
/// name; a line per host as it ends; then a table with a row per host, and one closing line.
/// </summary>
internal sealed class HostsReporter(CliConsole console, DeployManifest manifest, Verbosity verbosity)
{
    private readonly ConcurrentDictionary<string, DeployReporter> _hosts = new(StringComparer.Ordinal);

    public Task<T> RunAsync<T>(string title, Func<Task<T>> work) =>
        console.IsTerminal && verbosity != Verbosity.Quiet ? console.WithSpinnerAsync(title, work) : work();

    public void OnEvent(DeployEvent e)
    {
        switch (e)
        {
            case HostEvent hostEvent:
                Reporter(hostEvent.Host).OnEvent(hostEvent.Event);
                break;
            case HostStarted started:
                console.Status($"{started.Host}: {started.Step}");
                if (verbosity != Verbosity.Quiet)
                {
                    console.Line(Host(started.Host), $"{HostText.Step(started.Step)} over ssh {started.Destination}");
                }

                break;
            case HostOutput output:
                if (verbosity != Verbosity.Quiet || output.IsError)
                {
                    console.Line(Host(output.Host), new Styled(output.Line, output.IsError ? TextStyle.Yellow : TextStyle.Grey));
                }

                break;
            case HostFinished finished:
                Finished(finished.Result);
                break;
            case RolloutWaiting waiting:
                console.Status($"waiting {Seconds(waiting.Wait)} before {string.Join(", ", waiting.NextHosts)}");
                if (verbosity != Verbosity.Quiet)
                {
                    console.Line($"rollout: waiting {Seconds(waiting.Wait)} before {string.Join(", ", waiting.NextHosts)}");
                }

                break;
            default:
                break;
        }
    }

    /// <summary>The table of hosts, and the closing line on stdout when all went well.</summary>
    public void Summary(string what, HostsResult result, TimeSpan elapsed)
    {
        if (verbosity != Verbosity.Quiet)
        {
            var table = new TextTable("host", "result", "services", "time");
            foreach (var host in result.Hosts)
            {
                _ = table.AddRow(
                    host.Host,
                    State(host.State),
                    Services(host),
                    host.State == HostState.NotRun ? "-" : Seconds(host.Duration));
            }

            console.Table(table);
        }

        if (result.Succeeded)
        {
            console.Line(string.Create(CultureInfo.InvariantCulture, $"{what}: {result.Hosts.Count} {(result.Hosts.Count == 1 ? "host" : "hosts")} done in {Seconds(elapsed)}"));
        }
    }

    /// <summary>The error line of a failed run: every host that did not succeed, and what became of it.</summary>
    public static string FailureLine(string what, HostsResult result, TimeSpan elapsed) => HostText.Failure(what, result, elapsed);

    private DeployReporter Reporter(string host) => _hosts.GetOrAdd(host, h => new DeployReporter(console, manifest, verbosity, h));

    private void Finished(HostResult result)
    {
        var text = result.State switch
        {
            HostState.Succeeded => new Styled("done", TextStyle.Green),
            HostState.NotRun => new Styled(HostText.NotRun, TextStyle.Yellow),
            _ => new Styled($"{Word(result.State)}: {result.Message}", TextStyle.Red),
        };
        if (verbosity != Verbosity.Quiet || result.IsFailure)
        {
            console.Line(Host(result.Host), text);
        }
    }

    private string Services(HostResult host)
    {
        if (host.Result is null)
        {
            return host.State switch
            {
                HostState.NotRun => "-",
                _ => host.Message ?? "-",
            };
        }

        var outcomes = Reporter(host.Host).Visible(host.Result.Outcomes)
            .Where(o => o.IsFailure || o.Phase is Phase.StartOrRestart or Phase.Stop)
            .Select(o => $"{o.Service} {DeployText.Action(o.Action)}")
            .ToList();
        return outcomes.Count > 0 ? string.Join(", ", outcomes) : "-";
    }

    private static Styled Host(string host) => new(host + ": ", TextStyle.Bold);

    private static Styled State(HostState state) => new(Word(state), state switch
    {
        HostState.Succeeded => TextStyle.Green,
        HostState.NotRun => TextStyle.Yellow,
        _ => TextStyle.Red,
    });

    private static string Word(HostState state) => HostText.State(state);

    private static string Seconds(TimeSpan time) => HostText.Seconds(time);
}
