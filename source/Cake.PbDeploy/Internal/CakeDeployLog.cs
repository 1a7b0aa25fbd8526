using System.Globalization;
using Cake.Core.Diagnostics;
using PbDeploy.Deployment;

namespace Cake.PbDeploy.Internal;

/// <summary>Renders the core's progress events to Cake's log, a line per event, as the CLI does on a plain console.</summary>
internal sealed class CakeDeployLog(ICakeLog log)
{
    public void OnEvent(DeployEvent e)
    {
        switch (e)
        {
            case PhaseStarted started:
                Info($"PbDeploy {PhaseName(started.Phase)}: {string.Join(", ", started.Services)}");
                break;
            case CommandStarted command:
                Info($"{command.Service}: {command.Kind}: {command.Command}");
                break;
            case CommandFinished finished when !string.IsNullOrEmpty(finished.Result.Output):
                // The output of a failing command comes with the failure; a succeeding one's is for -verbosity=verbose.
                foreach (var line in finished.Result.Output.TrimEnd('\n').Split('\n'))
                {
                    log.Verbose("    {0}", line);
                }

                break;
            case TemplatesRendered rendered:
                foreach (var file in rendered.Files.Where(f => f.Changed))
                {
                    Info($"{rendered.Service}: rendered {file.Target}");
                }

                break;
            case Waiting waiting:
                Info(string.Create(CultureInfo.InvariantCulture, $"{waiting.Service}: waiting for {waiting.What} (up to {waiting.Timeout.TotalSeconds:0.##} s)"));
                break;
            case WaitingForLock locked:
                Info($"waiting for another deploy of this project ({locked.Holder}) to release {locked.LockPath}");
                break;
            case DeployWarning warning:
                log.Warning("{0}", warning.Service is null ? warning.Message : $"{warning.Service}: {warning.Message}");
                break;
            case ServiceFinished finished:
                Finished(finished.Outcome);
                break;
            default:
                break;
        }
    }

    public static string PhaseName(Phase phase) => phase switch
    {
        Phase.Before => "before",
        Phase.StartOrRestart => "start/restart",
        Phase.After => "after",
        Phase.Stop => "stop",
        _ => phase.ToString(),
    };

    private void Finished(ServiceOutcome outcome)
    {
        var text = outcome.Action switch
        {
            ServiceAction.Started => $"started, pid {outcome.Pid}",
            ServiceAction.Restarted => $"restarted, pid {outcome.OldPid} → {outcome.Pid}",
            ServiceAction.LeftRunning => $"left running, pid {outcome.Pid} (no restart command)",
            ServiceAction.Stopped => $"stopped, pid {outcome.OldPid}{(outcome.Message is null ? "" : $" ({outcome.Message})")}",
            ServiceAction.NotRunning => "not running",
            ServiceAction.CommandsRan => $"{PhaseName(outcome.Phase)} done",
            ServiceAction.Nothing => null,
            ServiceAction.Failed => $"FAILED in {PhaseName(outcome.Phase)}: {outcome.Message}",
            ServiceAction.Skipped => $"skipped {PhaseName(outcome.Phase)}: {outcome.Message}",
            _ => outcome.Action.ToString(),
        };
        if (text is null)
        {
            return;
        }

        if (outcome.IsFailure)
        {
            log.Error("{0}: {1}", outcome.Service, text);
            foreach (var line in (outcome.Output ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                log.Error("    {0}", line);
            }
        }
        else
        {
            Info($"{outcome.Service}: {text}");
        }
    }

    // Always through "{0}": commands and messages hold braces ({port}) that Cake would read as format items.
    private void Info(string text) => log.Information("{0}", text);
}
