using System.Globalization;
using System.Text;
using PbDeploy.Manifest;
using PbDeploy.Status;

namespace PbDeploy.Deployment;

/// <summary>
/// The words every front end uses for phases, outcomes and events, written once: a front end adds its own styling
/// (colours, log levels) around them, never its own wording.
/// </summary>
public static class DeployText
{
    /// <summary><c>before</c>, <c>start/restart</c>, <c>after</c>, <c>stop</c>.</summary>
    public static string Phase(Phase phase) => phase switch
    {
        Deployment.Phase.Before => "before",
        Deployment.Phase.StartOrRestart => "start/restart",
        Deployment.Phase.After => "after",
        Deployment.Phase.Stop => "stop",
        _ => phase.ToString(),
    };

    /// <summary>What happened to the service, e.g. <c>restarted, pid 1234 → 1240</c>; null when there is nothing to say.</summary>
    public static string? Outcome(ServiceOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Action switch
        {
            ServiceAction.Started => $"started, pid {outcome.Pid}",
            ServiceAction.Restarted => $"restarted, pid {outcome.OldPid} → {outcome.Pid}",
            ServiceAction.LeftRunning => outcome.Message is { } why ? $"left running, pid {outcome.Pid} ({why})" : $"left running, pid {outcome.Pid} (no restart command)",
            ServiceAction.Stopped => $"stopped, pid {outcome.OldPid}{(outcome.Message is null ? "" : $" ({outcome.Message})")}",
            ServiceAction.NotRunning => "not running",
            ServiceAction.CommandsRan => $"{Phase(outcome.Phase)} done",
            ServiceAction.Nothing => null,
            ServiceAction.Failed => $"FAILED in {Phase(outcome.Phase)}: {WithoutPhase(outcome.Phase, outcome.Message)}",
            ServiceAction.Skipped => $"skipped {Phase(outcome.Phase)}: {WithoutNotRun(outcome.Message)}",
            _ => outcome.Action.ToString(),
        };
    }

    /// <summary>The result column of a summary: <c>started</c>, <c>failed</c>, <c>nothing to do</c> ...</summary>
    public static string Action(ServiceAction action) => action switch
    {
        ServiceAction.Started => "started",
        ServiceAction.Restarted => "restarted",
        ServiceAction.LeftRunning => "left running",
        ServiceAction.Stopped => "stopped",
        ServiceAction.NotRunning => "not running",
        ServiceAction.CommandsRan => "done",
        ServiceAction.Nothing => "nothing to do",
        ServiceAction.Failed => "failed",
        ServiceAction.Skipped => "skipped",
        _ => action.ToString(),
    };

    /// <summary>The pid column of a summary: <c>1234 → 1240</c>, <c>1234</c> or <c>-</c>.</summary>
    public static string Pids(ServiceOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return (outcome.OldPid, outcome.Pid) switch
        {
            ({ } old, { } now) when old != now => $"{old} → {now}",
            (_, { } now) => now.ToString(CultureInfo.InvariantCulture),
            ({ } old, null) => old.ToString(CultureInfo.InvariantCulture),
            _ => "-",
        };
    }

    /// <summary>
    /// One line for an event, without the service's name (front ends put it first), e.g. <c>before: pip install ...</c>
    /// or <c>waiting for port 8000 to listen (up to 30 s)</c>; null for events that are not a line of their own
    /// (a finished command, a finished service: see <see cref="Outcome"/>).
    /// </summary>
    public static string? Event(DeployEvent e) => e switch
    {
        DeployStarted started => $"deploy{(started.Quick ? " (quick)" : "")}: {string.Join(", ", started.Services)}",
        PhaseStarted started => $"{Phase(started.Phase)}: {string.Join(", ", started.Services)}",
        CommandStarted command => $"{command.Kind}: {command.Command}",
        Waiting waiting => string.Create(CultureInfo.InvariantCulture, $"waiting for {waiting.What} (up to {waiting.Timeout.TotalSeconds:0.##} s)"),
        WaitingForLock locked => locked.Holder.StartsWith("pid ", StringComparison.Ordinal)
            ? $"waiting for the deploy of {locked.Holder} to release {locked.LockPath}"
            : $"waiting for another deploy of this project ({locked.Holder}) to release {locked.LockPath}",
        DeployWarning warning => warning.Message,
        SwitchingOver over => over.Dependents.Count == 0
            ? $"new copy ready on port {over.ToPort}; stopping the copy on port {over.FromPort}"
            : $"new copy ready on port {over.ToPort}; switching {string.Join(", ", over.Dependents)} to it, then stopping the copy on port {over.FromPort}",
        _ => null,
    };

    /// <summary>The rendered files of a <see cref="TemplatesRendered"/> event that changed, one line each: <c>rendered /srv/app/nginx.conf</c>.</summary>
    public static IEnumerable<string> Rendered(TemplatesRendered rendered)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        return rendered.Files.Where(f => f.Changed).Select(f => $"rendered {f.Target}");
    }

    /// <summary>
    /// Why a run failed, naming each failed or skipped service with its reason:
    /// <c>PbDeploy start/restart failed: web: it exited (exit code 3) ...</c>; null when none did.
    /// </summary>
    /// <param name="what">What ran: a phase (<see cref="Phase(Deployment.Phase)"/>), <c>deploy</c> or <c>stop</c>.</param>
    /// <param name="outcomes">Its outcomes.</param>
    public static string? Failures(string what, IEnumerable<ServiceOutcome> outcomes)
    {
        // One reason per service: the failure itself, not the later phases it was then skipped in.
        var failures = outcomes.Where(o => o.IsFailure).GroupBy(o => o.Service).Select(g => g.First()).ToList();
        return failures.Count == 0
            ? null
            : $"PbDeploy {what} failed: {string.Join("; ", failures.Select(f => $"{f.Service}: {f.Message}"))}";
    }

    /// <summary>
    /// One line that closes a run, service by service: <c>deploy done in 1.2 s: 7 restarted, 13 left running</c>, or
    /// <c>deploy failed in 0.6 s: db failed in before; app, web not run; 1 started</c>.
    /// </summary>
    /// <param name="what">What ran: <c>deploy</c>, <c>stop</c> or a phase's words.</param>
    /// <param name="outcomes">Its outcomes (those of steps that do exist: see <see cref="ServiceAction.Nothing"/>).</param>
    /// <param name="elapsed">How long it took.</param>
    public static string Summary(string what, IEnumerable<ServiceOutcome> outcomes, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(what);
        ArgumentNullException.ThrowIfNull(outcomes);
        var services = outcomes.Where(o => o.Action != ServiceAction.Nothing).GroupBy(o => o.Service).ToList();
        var failed = new List<string>();
        var notRun = new List<string>();
        var done = new List<ServiceAction>();
        foreach (var service in services)
        {
            if (service.FirstOrDefault(o => o.Action == ServiceAction.Failed) is { } failure)
            {
                failed.Add($"{service.Key} failed in {Phase(failure.Phase)}");
            }
            else if (service.FirstOrDefault(o => o.Action == ServiceAction.Skipped) is { } skip)
            {
                notRun.Add(service.All(o => o.IsFailure) ? service.Key : $"{service.Key}'s {Phase(skip.Phase)}");
            }
            else
            {
                // What a reader wants to know of a service: what became of its process; else that its commands ran.
                done.Add(service.Select(o => o.Action).FirstOrDefault(a => a != ServiceAction.CommandsRan, ServiceAction.CommandsRan));
            }
        }

        var counts = string.Join(", ", done.CountBy(a => a).OrderBy(c => c.Key).Select(c => $"{c.Value} {Action(c.Key)}"));
        var parts = failed.ToList();
        if (notRun.Count > 0)
        {
            parts.Add($"{string.Join(", ", notRun)} not run");
        }

        if (counts.Length > 0)
        {
            parts.Add(counts);
        }

        var time = string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s");
        var result = failed.Count + notRun.Count > 0 ? "failed" : "done";
        return $"{what} {result} in {time}: {(parts.Count == 0 ? "nothing to do" : string.Join("; ", parts))}";
    }

    /// <summary>
    /// What readiness waits for, with the pidfile's real path (rendered, relative to the project's folder):
    /// <c>port 8000 to listen</c>, <c>pidfile /srv/site/run/app.pid to name a live process</c>.
    /// </summary>
    internal static string Awaited(DeployManifest manifest, ServiceDefinition service) => service.Port is { } port
        ? string.Create(CultureInfo.InvariantCulture, $"port {port} to listen")
        : $"pidfile {StatusReader.PidfilePath(manifest, service)} to name a live process";

    /// <summary>A failure's reason without the phase a line that says <c>FAILED in before</c> already names: <c>command failed ...</c>, not <c>before command failed ...</c>.</summary>
    /// <summary>
    /// What a failed start or restart's rollback did, to append to its message: <c>; its templates were restored:
    /// nginx.conf, app.ini (removed: it did not exist before)</c>, and each target that could not be, with why and
    /// what to do. Empty when no template was written.
    /// </summary>
    internal static string Restored(IReadOnlyList<Templating.RestoredTarget> targets)
    {
        var restored = targets.Where(t => t.Failure is null).Select(t => t.Removed ? $"{t.Name} (removed: it did not exist before)" : t.Name).ToList();
        var failed = targets.Where(t => t.Failure is not null).ToList();
        var text = restored.Count > 0 ? $"; its templates were restored: {string.Join(", ", restored)}" : "";
        if (failed.Count > 0)
        {
            text += $"; restoring its templates failed: {string.Join("; ", failed.Select(t => $"{t.Name}: {t.Failure}"))}: "
                + (failed.Count == 1 ? "it holds" : "they hold") + " the new content, which the service did not take; put back the old file by hand (or fix the config and deploy again)";
        }

        return text;
    }

    private static string? WithoutPhase(Phase phase, string? message)
    {
        var named = $"{Phase(phase)} command ";
        return message is not null && message.StartsWith(named, StringComparison.Ordinal) ? message[(named.Length - "command ".Length)..] : message;
    }

    /// <summary>A skip's reason without the <c>not run: </c> its message starts with, for a line that already says <c>skipped</c>.</summary>
    private static string? WithoutNotRun(string? message)
    {
        const string notRun = "not run: ";
        return message is not null && message.StartsWith(notRun, StringComparison.Ordinal) ? message[notRun.Length..] : message;
    }

    /// <summary>
    /// Text from elsewhere (a command's output, a remote host's events and lines) made harmless for a terminal, for
    /// every front end that shows it: a control character would let it move the cursor, overwrite lines (<c>\r</c>),
    /// set the clipboard (OSC 52) or the title, or forge a line of its own. Each C0 and C1 control character but tab,
    /// DEL, and each bidirectional override is written out as an escape (<c>\e</c>, <c>\r</c>, <c>\x07</c>,
    /// <c>\u202E</c>); the text itself when it has none.
    /// </summary>
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(Unsafe))
        {
            return text ?? "";
        }

        var shown = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = !Unsafe(c) ? shown.Append(c) : c switch
            {
                '\e' => shown.Append("\\e"),
                '\r' => shown.Append("\\r"),
                '\n' => shown.Append("\\n"),
                '\b' => shown.Append("\\b"),
                < '\u0100' => shown.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ => shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
            };
        }

        return shown.ToString();
    }

    private static bool Unsafe(char c) =>
        (char.IsControl(c) && c != '\t') || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
