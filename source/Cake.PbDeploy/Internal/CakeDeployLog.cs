using System.Reflection;
using Cake.Core.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// Renders the core's progress events to Cake's log, a line per event, as the CLI does on a plain console. With a task
/// prefix (two manifests in one script), every line starts with it, so that a reader knows which manifest it is of.
/// </summary>
internal sealed class CakeDeployLog(ICakeLog log, string prefix = "", DeployManifest? manifest = null)
{
    private bool _quick;

    /// <summary>The prefix of this manifest's lines: <c>[Site.] </c>, or nothing.</summary>
    public string Prefix { get; } = prefix.Length == 0 ? "" : $"[{prefix}] ";

    public void OnEvent(DeployEvent e)
    {
        switch (e)
        {
            case DeployStarted started:
                _quick = started.Quick;
                Info($"PbDeploy {DeployText.Event(e)}");
                break;
            case PhaseStarted:
                Info($"PbDeploy {DeployText.Event(e)}");
                break;
            case CommandFinished finished when !string.IsNullOrEmpty(finished.Result.Output):
                // The output of a failing command comes with the failure; a succeeding one's is for -verbosity=verbose.
                foreach (var line in finished.Result.Output.TrimEnd('\n').Split('\n'))
                {
                    log.Verbose("{0}", $"{Prefix}    {line}");
                }

                break;
            case TemplatesRendered rendered:
                foreach (var line in DeployText.Rendered(rendered))
                {
                    Info($"{rendered.Service}: {line}");
                }

                break;
            case DeployWarning warning:
                Warn(warning.Service is null ? warning.Message : $"{warning.Service}: {warning.Message}");
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

    /// <summary>Says what <c>--verbosity=diagnostic</c> readers ask first: which addin, manifest, lock and process lookup.</summary>
    public void Diagnostics(DeployManifest loaded, Deployer deployer)
    {
        var addin = typeof(CakeDeployLog).Assembly;
        var version = addin.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? addin.GetName().Version?.ToString();
        var core = typeof(Deployer).Assembly.GetName().Version;
        log.Debug("{0}", $"{Prefix}PbDeploy: addin Cake.PbDeploy {version} ({addin.Location}), core PbDeploy.Core {core}");
        log.Debug("{0}", $"{Prefix}PbDeploy: manifest {loaded.Path}, project folder {loaded.ProjectDir}");
        log.Debug("{0}", $"{Prefix}PbDeploy: deploy lock {deployer.LockPath}");
        log.Debug("{0}", $"{Prefix}PbDeploy: processes on ports found by {FinderText()}");
    }

    /// <summary>Warns when a deploy without dependencies (<c>--no-deps</c>) starts services whose dependencies are not running.</summary>
    public void WarnStoppedDependencies(DeployManifest loaded, IReadOnlyList<string> services)
    {
        var selected = loaded.Select(services);
        var names = selected.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var missing = selected.SelectMany(s => s.DependsOn).Where(d => !names.Contains(d)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var statuses = new StatusReader().Read(loaded, loaded.Select(missing)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var service in selected)
        {
            var stopped = service.DependsOn.Where(d => !names.Contains(d) && statuses[d].State != ServiceState.Running).ToList();
            if (stopped.Count > 0)
            {
                Warn($"{service.Name}: deployed without what it depends on (no dependencies), while {string.Join(", ", stopped.Select(d => $"{d} is {statuses[d].State.ToString().ToLowerInvariant()}"))}; deploy {string.Join(", ", stopped)} too, or drop --no-deps.");
            }
        }
    }

    private static string FinderText() =>
        Directory.Exists("/proc/self")
            ? "netlink sock_diag (else /proc/net/tcp) for sockets and /proc/*/fd for their processes"
            : "lsof -nP -iTCP -sTCP:LISTEN";

    private void Finished(ServiceOutcome outcome)
    {
        if (outcome.Action == ServiceAction.Nothing && outcome.Message is { } why && why.StartsWith("left running", StringComparison.Ordinal))
        {
            // A phase task: its hooks are not run for a service left running, which is worth a word.
            Info($"{outcome.Service}: {DeployText.Phase(outcome.Phase)} skipped: {why}");
            return;
        }

        if (DeployText.Outcome(outcome) is not { } text)
        {
            return;
        }

        if (outcome.IsFailure)
        {
            log.Error("{0}", $"{Prefix}{outcome.Service}: {text}");
            foreach (var line in (outcome.Output ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                log.Error("{0}", $"{Prefix}    {line}");
            }
        }
        else
        {
            Info($"{outcome.Service}: {text}{SkippedHooks(outcome)}");
        }
    }

    /// <summary>A deploy leaves a running service without a restart command alone, and runs none of its hooks: say so.</summary>
    private string SkippedHooks(ServiceOutcome outcome)
    {
        if (outcome.Action != ServiceAction.LeftRunning || _quick || manifest?.Services.FirstOrDefault(s => s.Name == outcome.Service) is not { } service)
        {
            return "";
        }

        var hooks = (service.Before.Count > 0, service.After.Count > 0) switch
        {
            (true, true) => "before and after commands",
            (true, false) => "before commands",
            (false, true) => "after commands",
            _ => null,
        };
        return hooks is null ? "" : $"; its {hooks} were skipped";
    }

    // Always through "{0}": commands and messages hold braces ({port}) that Cake would read as format items.
    private void Info(string text) => log.Information("{0}", Prefix + text);

    private void Warn(string text) => log.Warning("{0}", Prefix + text);
}
