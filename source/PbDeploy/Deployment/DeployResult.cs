namespace PbDeploy.Deployment;

/// <summary>What a run of one or more phases did, service by service.</summary>
/// <param name="Outcomes">One outcome per service and phase, phases in the order run, services in manifest order within a phase.</param>
public sealed record DeployResult(IReadOnlyList<ServiceOutcome> Outcomes)
{
    /// <summary>No service failed or was skipped, and the run was not interrupted.</summary>
    public bool Succeeded => !Interrupted && Outcomes.All(o => !o.IsFailure);

    /// <summary>The run was cancelled (Ctrl-C, SIGTERM): the outcomes say what was done and what was not.</summary>
    public bool Interrupted { get; init; }

    /// <summary>The failed and skipped outcomes.</summary>
    public IEnumerable<ServiceOutcome> Failures => Outcomes.Where(o => o.IsFailure);
}
