using PbDeploy.Processes;

namespace PbDeploy.Deployment;

/// <summary>What to deploy or stop, and how.</summary>
public sealed record DeployOptions
{
    /// <summary>
    /// The services to act on; empty for all of them. A deploy also deploys what they depend on (directly or not),
    /// unless <see cref="NoDependencies"/>; a stop stops only the services named.
    /// </summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>Skip the <c>before</c> and <c>after</c> commands (<c>--quick</c>).</summary>
    public bool Quick { get; init; }

    /// <summary>Deploy only the services named in <see cref="Services"/>, not what they depend on (<c>--no-deps</c>).</summary>
    public bool NoDependencies { get; init; }

    /// <summary>How long to wait for another deploy of the same project to finish (default 10 minutes).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How processes on ports are found.</summary>
    public FinderMethod Finder { get; init; } = FinderMethod.Auto;
}
