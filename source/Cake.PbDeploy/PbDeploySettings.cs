namespace Cake.PbDeploy;

/// <summary>What the <c>PbDeploy</c> and <c>PbDeployStop</c> aliases act on, and how.</summary>
public sealed class PbDeploySettings
{
    /// <summary>
    /// The services to deploy or stop; empty (the default) for all of them. <c>PbDeploy</c> also deploys what they
    /// depend on (unless <see cref="NoDependencies"/>); <c>PbDeployStop</c> stops only those named.
    /// </summary>
    public IList<string> Services { get; init; } = [];

    /// <summary>Skip the Before and After phases (the CLI's <c>--quick</c>). Ignored by <c>PbDeployStop</c>.</summary>
    public bool Quick { get; init; }

    /// <summary>Deploy only the services named in <see cref="Services"/>, not what they depend on (the CLI's <c>--no-deps</c>).</summary>
    public bool NoDependencies { get; init; }

    /// <summary>How long to wait for another deploy of the same project to finish (default 10 minutes).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
