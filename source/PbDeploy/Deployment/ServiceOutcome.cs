namespace PbDeploy.Deployment;

/// <summary>What one phase did to one service.</summary>
public sealed record ServiceOutcome
{
    /// <summary>The service.</summary>
    public required string Service { get; init; }

    /// <summary>The phase.</summary>
    public required Phase Phase { get; init; }

    /// <summary>What happened.</summary>
    public required ServiceAction Action { get; init; }

    /// <summary>The pid before (restart, stop, left running).</summary>
    public int? OldPid { get; init; }

    /// <summary>The pid after (start, restart, left running).</summary>
    public int? Pid { get; init; }

    /// <summary>How long the phase took for this service.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>For a failure or a skip: what went wrong and what to do. Otherwise an optional note.</summary>
    public string? Message { get; init; }

    /// <summary>For a failure: the last lines of the failing command's output or of the service's log.</summary>
    public string? Output { get; init; }

    /// <summary>True for <see cref="ServiceAction.Failed"/> and <see cref="ServiceAction.Skipped"/>.</summary>
    public bool IsFailure => Action is ServiceAction.Failed or ServiceAction.Skipped;
}
