using PbDeploy.Processes;

namespace PbDeploy.Deployment;

/// <summary>What to deploy or stop, and how.</summary>
public sealed record DeployOptions
{
    /// <summary>The services to act on; empty for all of them.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>Skip the Before and After phases (<c>--quick</c>).</summary>
    public bool Quick { get; init; }

    /// <summary>How long to wait for another deploy of the same project to finish (default 10 minutes).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How processes on ports are found.</summary>
    public FinderMethod Finder { get; init; } = FinderMethod.Auto;
}
