using System.Collections.Concurrent;
using System.Reflection;
using Cake.Core.Diagnostics;
using PbDeploy.Deployment;
using PbDeploy.Hosts;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// Renders the core's progress events to Cake's log, a line per event, as the CLI does on a plain console. With a task
/// prefix (two manifests in one script), every line starts with it, so that a reader knows which manifest it is of.
/// A run over hosts: each host's events as a local deploy's, every line starting with the host's name (<c>[web1] </c>).
/// </summary>
internal sealed class CakeDeployLog(ICakeLog log, string prefix = "", DeployManifest? manifest = null, string? host = null)
{
    private const int TailLines = 20;
    private readonly DateTime _began = DateTime.Now;
    private readonly Dictionary<string, long> _logSizes = LogSizes(manifest);
    private readonly ConcurrentDictionary<string, CakeDeployLog> _hosts = new(StringComparer.Ordinal);
    private bool _quick;

    /// <summary>The prefix of this manifest's lines: <c>[Site.] </c>, or nothing.</summary>
    public string Prefix { get; } = prefix.Length == 0 ? "" : $"[{prefix}] ";

    /// <summary>The prefix of every line: the manifest's, then the host's (<c>[web1] </c>) for a host's events.</summary>
    private string LinePrefix => host is null ? Prefix : $"{Prefix}[{host}] ";

    public void OnEvent(DeployEvent e)
    {
        switch (e)
        {
            case HostEvent hostEvent:
                // A host's log knows no local log files (its paths are the host's): a failure shows what the host sent.
                _hosts.GetOrAdd(hostEvent.Host, h => new CakeDeployLog(log, prefix, null, h)).OnEvent(hostEvent.Event);
                break;
            case HostStarted started:
                Info($"[{started.Host}] {Step(started.Step)} over ssh {started.Destination}");
                break;
            case HostOutput output when output.IsError:
                Warn($"[{output.Host}] {output.Line}");
                break;
            case HostOutput output:
                Info($"[{output.Host}] {output.Line}");
                break;
            case HostFinished finished:
                HostFinished(finished.Result);
                break;
            case RolloutWaiting waiting:
                Info($"rollout: waiting {Seconds(waiting.Wait)} before {string.Join(", ", waiting.NextHosts)}");
                break;
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
                    log.Verbose("{0}", DeployText.Printable($"{LinePrefix}    {line}"));
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

    /// <summary>
    /// The output of a failure. A service that failed to start comes with the tail of its log, which also holds the
    /// lines of earlier runs: only those written since this run began are shown (the log's size is taken when the run
    /// begins); when the log is not one this run knows, a line says when this run began.
    /// </summary>
    private string ThisRunsOutput(ServiceOutcome outcome)
    {
        const string marker = "; log: ";
        var output = outcome.Output ?? "";
        var at = outcome.Message?.LastIndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (at < 0 || output.Length == 0)
        {
            return output;
        }

        var path = outcome.Message![(at + marker.Length)..].Trim();
        var began = _began.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        if (!_logSizes.TryGetValue(path, out var size))
        {
            return $"(the last lines of {path}; this run began at {began}, earlier lines may be of earlier runs)\n{output}";
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _ = file.Seek(file.Length >= size ? size : 0, SeekOrigin.Begin);
            using var reader = new StreamReader(file);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var tail = string.Join('\n', lines.TakeLast(TailLines));
            return lines.Length == 0
                ? $"(nothing written to {path} since this run began at {began})"
                : $"(the lines written to {path} since this run began at {began}{(lines.Length > TailLines ? $", the last {TailLines}" : "")})\n{tail}";
        }
        catch (IOException)
        {
            return output;
        }
        catch (UnauthorizedAccessException)
        {
            return output;
        }
    }

    /// <summary>The size of each service's log when this run begins (the logs whose path needs no template variable).</summary>
    private static Dictionary<string, long> LogSizes(DeployManifest? manifest)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var service in manifest?.Services ?? [])
        {
            var path = service.Log is null
                ? Path.Combine(manifest!.ProjectDir, ".pbdeploy", "logs", $"{service.Name}.log")
                : service.Log.Text.Contains('{', StringComparison.Ordinal) ? null : Path.GetFullPath(service.Log.Text, manifest!.ProjectDir);
            if (path is not null)
            {
                sizes[path] = File.Exists(path) ? new FileInfo(path).Length : 0;
            }
        }

        return sizes;
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
            log.Error("{0}", DeployText.Printable($"{LinePrefix}{outcome.Service}: {text}"));
            foreach (var line in ThisRunsOutput(outcome).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                log.Error("{0}", DeployText.Printable($"{LinePrefix}    {line}"));
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
    private void Info(string text) => log.Information("{0}", DeployText.Printable(LinePrefix + text));

    private void Warn(string text) => log.Warning("{0}", DeployText.Printable(LinePrefix + text));

    /// <summary>A run over hosts is done: a line per host, what became of it and of its services.</summary>
    public void HostsSummary(string what, HostsResult result)
    {
        Info($"PbDeploy {what} over hosts:");
        foreach (var done in result.Hosts)
        {
            var text = done.State == HostState.NotRun ? $"[{done.Host}] not run"
                : done.Result is null ? $"[{done.Host}] {Said(done)}, {Seconds(done.Duration)}"
                : $"[{done.Host}] {Word(done.State)}, {HostServices(done)}, {Seconds(done.Duration)}";
            if (done.IsFailure)
            {
                log.Error("{0}", DeployText.Printable(Prefix + text));
            }
            else
            {
                Info(text);
            }
        }
    }

    private void HostFinished(HostResult result)
    {
        switch (result.State)
        {
            case HostState.Succeeded:
                Info($"[{result.Host}] done");
                break;
            case HostState.NotRun:
                Warn($"[{result.Host}] {HostText.NotRun}");
                break;
            default:
                log.Error("{0}", DeployText.Printable($"{LinePrefix}[{result.Host}] {Said(result)}"));
                break;
        }
    }

    /// <summary>A host that said nothing of its services (unreachable, a refused manifest): its state and message, once.</summary>
    private static string Said(HostResult host)
    {
        var word = Word(host.State);
        return host.Message is not { } message ? word
            : message.StartsWith(word + ":", StringComparison.Ordinal) ? message
            : $"{word}: {message}";
    }

    private static string HostServices(HostResult host)
    {
        var outcomes = host.Result!.Outcomes
            .Where(o => o.IsFailure || o.Phase is Phase.StartOrRestart or Phase.Stop)
            .GroupBy(o => o.Service, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {DeployText.Action(g.Last().Action)}")
            .ToList();
        return outcomes.Count > 0 ? string.Join(", ", outcomes) : "nothing to do";
    }

    private static string Step(string step) => HostText.Step(step);

    private static string Word(HostState state) => HostText.State(state);

    private static string Seconds(TimeSpan time) => HostText.Seconds(time);
}
