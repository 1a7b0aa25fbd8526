using System.Globalization;
using PbDeploy.Deployment;
using PbDeploy.Manifest;

namespace PbDeploy.Cli.Output;

/// <summary>
/// Renders deploy events as they come: a line per step that did something, one per failure (a service already failed
/// or skipped is not reported again in the later phases), a spinner while waiting (on a terminal), then one closing
/// line. <see cref="Verbosity.Quiet"/> keeps only the failures; <see cref="Verbosity.Verbose"/> adds every command,
/// each wait and a table of every step. Plain text when stdout is not a terminal.
/// </summary>
/// <remarks>With a <c>host</c>, every line starts with the host's name (a deploy over hosts has one reporter per host).</remarks>
internal sealed class DeployReporter(CliConsole console, DeployManifest manifest, Verbosity verbosity, string? host = null)
{
    private readonly HashSet<string> _failed = [];
    private bool Verbose => verbosity == Verbosity.Verbose;

    public async Task<T> RunAsync<T>(string title, Func<Task<T>> work)
    {
        if (!console.IsTerminal || verbosity == Verbosity.Quiet)
        {
            return await work();
        }

        return await console.WithSpinnerAsync(title, work);
    }

    public void OnEvent(DeployEvent e)
    {
        switch (e)
        {
            case PhaseStarted or CommandStarted or Waiting:
                Progress(e);
                break;
            case CommandFinished finished when Verbose:
                Line(finished.Service, string.Create(
                    CultureInfo.InvariantCulture, $"{finished.Kind}: {finished.Result.Exit} after {finished.Result.Duration.TotalSeconds:0.00} s"));
                break;
            case TemplatesRendered rendered when verbosity != Verbosity.Quiet:
                foreach (var line in DeployText.Rendered(rendered))
                {
                    Line(rendered.Service, line);
                }

                break;
            case SwitchingOver over:
                // A step of its own in the normal view: which services move to which port.
                if (verbosity != Verbosity.Quiet)
                {
                    Line(over.Service, DeployText.Event(over)!);
                }

                console.Status($"{over.Service}: {DeployText.Event(over)}");
                break;
            case WaitingForLock:
                // Even when quiet: it explains a wait of up to --lock-timeout.
                Line(e.Service, DeployText.Event(e)!);
                break;
            case DeployWarning warning:
                console.Warning(Prefix + (warning.Service is null ? warning.Message : $"{warning.Service}: {warning.Message}"));
                break;
            case ServiceFinished finished when Shows(finished.Outcome):
                Finished(finished.Outcome);
                break;
            default:
                break;
        }
    }

    /// <summary>The closing line, on stdout when all went well; a failed run says it in its error line instead (see <see cref="FailureLine"/>).</summary>
    public void Summary(string what, DeployResult result, TimeSpan elapsed)
    {
        var outcomes = Visible(result.Outcomes).ToList();
        if (Verbose && outcomes.Count > 0)
        {
            Table(outcomes);
        }

        if (result.Succeeded)
        {
            console.Line(DeployText.Summary(what, outcomes, elapsed));
        }
    }

    /// <summary>The error line of a failed run: which services failed and which were not run, and what the others did.</summary>
    public string FailureLine(string what, DeployResult result, TimeSpan elapsed) =>
        $"{DeployText.Summary(what, Visible(result.Outcomes), elapsed)}; see above.";

    /// <summary>A step the normal view shows: one that did something, or the first failure or skip of a service.</summary>
    private bool Shows(ServiceOutcome outcome)
    {
        if (!Exists(outcome))
        {
            return false;
        }

        if (outcome.IsFailure)
        {
            // One message per failure: a service that failed in before is not reported again as skipped in start/restart and after.
            return _failed.Add(outcome.Service) && (outcome.Action == ServiceAction.Failed || verbosity != Verbosity.Quiet);
        }

        return verbosity != Verbosity.Quiet;
    }

    /// <summary>The outcomes worth a row: each service's first failure or skip only, and no step the service does not have.</summary>
    public IEnumerable<ServiceOutcome> Visible(IEnumerable<ServiceOutcome> outcomes)
    {
        var failed = new HashSet<string>();
        return outcomes.Where(o => Exists(o) && (!o.IsFailure || failed.Add(o.Service)));
    }

    /// <summary>False for a step that does not exist: nothing to do, or a skipped <c>before</c> or <c>after</c> of a service that has none.</summary>
    private bool Exists(ServiceOutcome outcome) => outcome.Action switch
    {
        ServiceAction.Nothing => false,
        ServiceAction.Skipped when outcome.Phase == Phase.Before => Service(outcome)?.Before.Count != 0,
        ServiceAction.Skipped when outcome.Phase == Phase.After => Service(outcome)?.After.Count != 0,
        _ => true,
    };

    private ServiceDefinition? Service(ServiceOutcome outcome) => manifest.Services.FirstOrDefault(s => s.Name == outcome.Service);

    /// <summary>What runs now: in the spinner on a terminal, and a command or a wait as a line of its own when verbose.</summary>
    private void Progress(DeployEvent e)
    {
        if (DeployText.Event(e) is not { } text)
        {
            return;
        }

        // Not a phase as a line: it names every selected service, most of which may have nothing to do in it.
        if (Verbose && e is not PhaseStarted)
        {
            Line(e.Service, text);
        }

        console.Status(Prefix + (e.Service is null ? text : $"{e.Service}: {text}"));
    }

    private void Table(List<ServiceOutcome> outcomes)
    {
        var table = new TextTable("service", "phase", "result", "pid", "time");
        foreach (var outcome in outcomes)
        {
            _ = table.AddRow(
                outcome.Service,
                DeployText.Phase(outcome.Phase),
                Colored(outcome.Action, DeployText.Action(outcome.Action)),
                DeployText.Pids(outcome),
                string.Create(CultureInfo.InvariantCulture, $"{outcome.Duration.TotalSeconds:0.00} s"));
        }

        console.Table(table);
    }

    private void Finished(ServiceOutcome outcome)
    {
        if (DeployText.Outcome(outcome) is not { } text)
        {
            return;
        }

        Line(outcome.Service, Colored(outcome.Action, text));
        if (outcome.Output is { Length: > 0 } output)
        {
            foreach (var line in output.Split('\n'))
            {
                console.Line(Prefix, "    ", new Styled(line.TrimEnd('\r'), TextStyle.Grey));
            }
        }
    }

    private string Prefix => host is null ? "" : host + ": ";

    private void Line(string? service, Styled text)
    {
        if (service is null)
        {
            console.Line(Prefix, text);
        }
        else
        {
            console.Line(Prefix, new Styled(service, TextStyle.Bold), ": ", text);
        }
    }

    private static Styled Colored(ServiceAction action, string text) => new(text, action switch
    {
        ServiceAction.Started or ServiceAction.Restarted or ServiceAction.Stopped => TextStyle.Green,
        ServiceAction.Failed => TextStyle.Red,
        ServiceAction.Skipped => TextStyle.Yellow,
        _ => TextStyle.Plain,
    });
}
