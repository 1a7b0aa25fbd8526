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
            case PhaseStarted or DeployStarted:
                Info($"PbDeploy {DeployText.Event(e)}");
                break;
            case CommandFinished finished when !string.IsNullOrEmpty(finished.Result.Output):
                // The output of a failing command comes with the failure; a succeeding one's is for -verbosity=verbose.
                foreach (var line in finished.Result.Output.TrimEnd('\n').Split('\n'))
                {
                    log.Verbose("{0}", $"    {line}");
                }

                break;
            case TemplatesRendered rendered:
                foreach (var line in DeployText.Rendered(rendered))
                {
                    Info($"{rendered.Service}: {line}");
                }

                break;
            case DeployWarning warning:
                log.Warning("{0}", warning.Service is null ? warning.Message : $"{warning.Service}: {warning.Message}");
                break;
            case ServiceFinished finished:
                Finished(finished.Outcome);
                break;
            default:
                if (DeployText.Event(e) is { } text)
                {
                    Info(e.Service is null ? text : $"{e.Service}: {text}");
                }

                break;
        }
    }

    private void Finished(ServiceOutcome outcome)
    {
        if (DeployText.Outcome(outcome) is not { } text)
        {
            return;
        }

        if (outcome.IsFailure)
        {
            log.Error("{0}", $"{outcome.Service}: {text}");
            foreach (var line in (outcome.Output ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                log.Error("{0}", $"    {line}");
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
