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
            case PhaseStarted started when console.IsTerminal:
                _spinner?.Status($"{Phase(started.Phase)}: {string.Join(", ", started.Services)}");
                break;
            case CommandStarted command:
                Line(command.Service!, $"[grey]{command.Kind}:[/] {Markup.Escape(command.Command)}");
                break;
            case TemplatesRendered rendered:
                foreach (var file in rendered.Files.Where(f => f.Changed))
                {
                    Line(rendered.Service!, $"rendered {Markup.Escape(file.Target)}");
                }

                break;
            case Waiting waiting when _spinner is not null:
                _spinner.Status($"{Markup.Escape(waiting.Service!)}: waiting for {Markup.Escape(waiting.What)}");
                break;
            case Waiting waiting:
                Line(waiting.Service!, string.Create(CultureInfo.InvariantCulture, $"waiting for {Markup.Escape(waiting.What)} (up to {waiting.Timeout.TotalSeconds:0.##} s)"));
                break;
            case WaitingForLock locked:
                console.Out.MarkupLine($"waiting for another deploy of this project ({Markup.Escape(locked.Holder)}) to release {Markup.Escape(locked.LockPath)}");
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
                Phase(outcome.Phase),
                Action(outcome),
                Pids(outcome),
                string.Create(CultureInfo.InvariantCulture, $"{outcome.Duration.TotalSeconds:0.00} s"));
        }

        console.Out.Write(table);
    }

    private void Finished(ServiceOutcome outcome)
    {
        var text = outcome.Action switch
        {
            ServiceAction.Started => $"[green]started[/], pid {outcome.Pid}",
            ServiceAction.Restarted => $"[green]restarted[/], pid {outcome.OldPid} → {outcome.Pid}",
            ServiceAction.LeftRunning => $"left running, pid {outcome.Pid} (no restart command)",
            ServiceAction.Stopped => $"[green]stopped[/], pid {outcome.OldPid}{(outcome.Message is null ? "" : $" ({Markup.Escape(outcome.Message)})")}",
            ServiceAction.NotRunning => "not running",
            ServiceAction.CommandsRan => $"{Phase(outcome.Phase)} done",
            ServiceAction.Nothing => null,
            ServiceAction.Failed => $"[red]FAILED[/] in {Phase(outcome.Phase)}: {Markup.Escape(outcome.Message ?? "")}",
            ServiceAction.Skipped => $"[yellow]skipped[/] {Phase(outcome.Phase)}: {Markup.Escape(outcome.Message ?? "")}",
            _ => outcome.Action.ToString(),
        };
        if (text is null)
        {
            return;
        }

        Line(outcome.Service, text);
        if (outcome.Output is { Length: > 0 } output)
        {
            foreach (var line in output.Split('\n'))
            {
                console.Out.MarkupLine($"    [grey]{Markup.Escape(line)}[/]");
            }
        }
    }

    private void Line(string service, string markup) => console.Out.MarkupLine($"[bold]{Markup.Escape(service)}[/]: {markup}");

    private static string Phase(Phase phase) => phase switch
    {
        Deployment.Phase.Before => "before",
        Deployment.Phase.StartOrRestart => "start/restart",
        Deployment.Phase.After => "after",
        Deployment.Phase.Stop => "stop",
        _ => phase.ToString(),
    };

    private static string Action(ServiceOutcome outcome) => outcome.Action switch
    {
        ServiceAction.Started => "[green]started[/]",
        ServiceAction.Restarted => "[green]restarted[/]",
        ServiceAction.LeftRunning => "left running",
        ServiceAction.Stopped => "[green]stopped[/]",
        ServiceAction.NotRunning => "not running",
        ServiceAction.CommandsRan => "done",
        ServiceAction.Nothing => "nothing to do",
        ServiceAction.Failed => "[red]failed[/]",
        ServiceAction.Skipped => "[yellow]skipped[/]",
        _ => outcome.Action.ToString(),
    };

    private static string Pids(ServiceOutcome outcome) => (outcome.OldPid, outcome.Pid) switch
    {
        ({ } old, { } now) when old != now => $"{old} → {now}",
        (_, { } now) => now.ToString(CultureInfo.InvariantCulture),
        ({ } old, null) => old.ToString(CultureInfo.InvariantCulture),
        _ => "-",
    };
}
