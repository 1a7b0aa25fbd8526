using System.Globalization;
using PbDeploy.Deployment;
using Spectre.Console;

namespace PbDeploy.Cli.Output;

/// <summary>
/// Renders deploy events as they come: a line per service and step, a spinner while waiting for readiness (on a
/// terminal), then a summary table. Plain text when stdout is not a terminal.
/// </summary>
internal sealed class DeployReporter(CliConsole console)
{
    private StatusContext? _spinner;

    public async Task<T> RunAsync<T>(string title, Func<Task<T>> work)
    {
        if (!console.IsTerminal)
        {
            return await work();
        }

        return await console.Out.Status().Spinner(Spinner.Known.Dots).StartAsync(title, async context =>
        {
            _spinner = context;
            try
            {
                return await work();
            }
            finally
            {
                _spinner = null;
            }
        });
    }

    public void OnEvent(DeployEvent e)
    {
        switch (e)
        {
            case PhaseStarted started when _spinner is not null:
                _spinner.Status(Markup.Escape(DeployText.Event(started)!));
                break;
            case PhaseStarted:
                break;
            case CommandStarted command:
                Line(command.Service!, $"[grey]{Markup.Escape(command.Kind)}:[/] {Markup.Escape(command.Command)}");
                break;
            case TemplatesRendered rendered:
                foreach (var line in DeployText.Rendered(rendered))
                {
                    Line(rendered.Service!, Markup.Escape(line));
                }

                break;
            case Waiting waiting when _spinner is not null:
                _spinner.Status($"{Markup.Escape(waiting.Service!)}: {Markup.Escape(DeployText.Event(waiting)!)}");
                break;
            case WaitingForLock or Waiting:
                Line(e.Service, Markup.Escape(DeployText.Event(e)!));
                break;
            case DeployWarning warning:
                console.Warning(warning.Service is null ? warning.Message : $"{warning.Service}: {warning.Message}");
                break;
            case ServiceFinished finished:
                Finished(finished.Outcome);
                break;
            default:
                break;
        }
    }

    public void Summary(DeployResult result)
    {
        if (result.Outcomes.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumns("service", "phase", "result", "pid", "time");
        if (!console.IsTerminal)
        {
            table.Border(TableBorder.Ascii);
        }

        foreach (var outcome in result.Outcomes.Where(o => o.Action != ServiceAction.Nothing))
        {
            _ = table.AddRow(
                Markup.Escape(outcome.Service),
                DeployText.Phase(outcome.Phase),
                Colored(outcome.Action, DeployText.Action(outcome.Action)),
                DeployText.Pids(outcome),
                string.Create(CultureInfo.InvariantCulture, $"{outcome.Duration.TotalSeconds:0.00} s"));
        }

        console.Out.Write(table);
    }

    private void Finished(ServiceOutcome outcome)
    {
        if (DeployText.Outcome(outcome) is not { } text)
        {
            return;
        }

        Line(outcome.Service, Colored(outcome.Action, Markup.Escape(text)));
        if (outcome.Output is { Length: > 0 } output)
        {
            foreach (var line in output.Split('\n'))
            {
                console.Out.MarkupLine($"    [grey]{Markup.Escape(line)}[/]");
            }
        }
    }

    private void Line(string? service, string markup) =>
        console.Out.MarkupLine(service is null ? markup : $"[bold]{Markup.Escape(service)}[/]: {markup}");

    private static string Colored(ServiceAction action, string markup) => action switch
    {
        ServiceAction.Started or ServiceAction.Restarted or ServiceAction.Stopped => $"[green]{markup}[/]",
        ServiceAction.Failed => $"[red]{markup}[/]",
        ServiceAction.Skipped => $"[yellow]{markup}[/]",
        _ => markup,
    };
}
