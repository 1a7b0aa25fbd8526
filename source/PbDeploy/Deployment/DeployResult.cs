namespace PbDeploy.Deployment;

/// <summary>What a run of one or more phases did, service by service.</summary>
/// <param name="Outcomes">One outcome per service and phase, phases in the order run, services in manifest order within a phase.</param>
public sealed record DeployResult(IReadOnlyList<ServiceOutcome> Outcomes)
{
    /// <summary>No service failed or was skipped.</summary>
    public bool Succeeded => Outcomes.All(o => !o.IsFailure);

    /// <summary>The failed and skipped outcomes.</summary>
    public IEnumerable<ServiceOutcome> Failures => Outcomes.Where(o => o.IsFailure);
}
