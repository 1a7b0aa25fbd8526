namespace PbDeploy.Manifest;

/// <summary>A manifest that cannot be used: invalid JSON, a wrong type, a missing or contradictory setting.</summary>
public sealed class ManifestException : PbDeployException
{
    /// <summary>Creates the exception; the message is prefixed with the location.</summary>
    public ManifestException(SourceLocation location, string problem)
        : base($"{location}: {problem}")
    {
        Location = location;
        Problem = problem;
    }

    /// <summary>Where the problem is.</summary>
    public SourceLocation Location { get; }

    /// <summary>The problem, without the location.</summary>
    public string Problem { get; }
}
