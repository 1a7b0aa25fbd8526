namespace PbDeploy.Manifest;

/// <summary>The manifest's <c>rollout</c>: how a deploy goes over its <c>hosts</c>.</summary>
public sealed record RolloutSettings
{
    /// <summary>How many hosts deploy at once; null (the default): all of them.</summary>
    public int? Batch { get; init; }

    /// <summary>How long to wait between two batches (default: not at all).</summary>
    public TimeSpan Wait { get; init; }
}
