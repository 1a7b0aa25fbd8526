namespace PbDeploy.Deployment;

/// <summary>What a run of one or more phases did, service by service.</summary>
/// <param name="Outcomes">
/// One outcome per service and step run or skipped. A deploy: service by service in manifest order, each service's
/// steps in the order run (none for <c>before</c> or <c>after</c> commands it does not have). Phases: phases in the
/// order run, services in manifest order within a phase.
/// </param>
public sealed record DeployResult(IReadOnlyList<ServiceOutcome> Outcomes)
{
    /// <summary>No service failed or was skipped, and the run was not interrupted.</summary>
    public bool Succeeded => !Interrupted && Outcomes.All(o => !o.IsFailure);

    /// <summary>The run was cancelled (Ctrl-C, SIGTERM): the outcomes say what was done and what was not.</summary>
    public bool Interrupted { get; init; }

    /// <summary>The failed and skipped outcomes.</summary>
    public IEnumerable<ServiceOutcome> Failures => Outcomes.Where(o => o.IsFailure);

    /// <summary>Throws when a service failed or was skipped (or the run was interrupted); returns when all went well.</summary>
    /// <param name="what">What ran, for the message: <c>deploy</c>, <c>stop</c> or a phase's words.</param>
    /// <exception cref="ServiceFailedException">
    /// A service failed: the exception names the first one, its phase and its output; the message names every failed or
    /// skipped service with its reason.
    /// </exception>
    /// <exception cref="OperationCanceledException">The run was interrupted before any service failed.</exception>
    public void EnsureSucceeded(string what)
    {
        ArgumentNullException.ThrowIfNull(what);
        if (DeployText.Failures(what, Outcomes) is { } message)
        {
            var first = Failures.FirstOrDefault(o => o.Action == ServiceAction.Failed) ?? Failures.First(); // the cause, not what it skipped
            throw new ServiceFailedException(first.Service, DeployText.Phase(first.Phase), message, first.Output);
        }

        if (Interrupted)
        {
            throw new OperationCanceledException($"the {what} was interrupted; its outcomes say what was done.");
        }
    }
}
