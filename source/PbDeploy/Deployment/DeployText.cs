using System.Globalization;

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
            ServiceAction.LeftRunning => $"left running, pid {outcome.Pid} (no restart command)",
            ServiceAction.Stopped => $"stopped, pid {outcome.OldPid}{(outcome.Message is null ? "" : $" ({outcome.Message})")}",
            ServiceAction.NotRunning => "not running",
            ServiceAction.CommandsRan => $"{Phase(outcome.Phase)} done",
            ServiceAction.Nothing => null,
            ServiceAction.Failed => $"FAILED in {Phase(outcome.Phase)}: {outcome.Message}",
            ServiceAction.Skipped => $"skipped {Phase(outcome.Phase)}: {outcome.Message}",
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
        WaitingForLock locked => $"waiting for another deploy of this project ({locked.Holder}) to release {locked.LockPath}",
        DeployWarning warning => warning.Message,
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
        var failures = outcomes.Where(o => o.IsFailure).ToList();
        return failures.Count == 0
            ? null
            : $"PbDeploy {what} failed: {string.Join("; ", failures.Select(f => $"{f.Service}: {f.Message}"))}";
    }
}
