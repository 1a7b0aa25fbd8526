namespace PbDeploy.Deployment;

/// <summary>
/// The last event of a deploy or stop streamed as JSON (<see cref="DeployEventJson"/>): what it did, and the exit code
/// of the <c>pbdeploy</c> that ran it. A <see cref="Deployer"/> does not raise it: its result is its return value.
/// </summary>
/// <param name="Result">The outcomes, and whether the run was interrupted.</param>
/// <param name="ExitCode">0 all done, 1 a service failed or the run was interrupted.</param>
public sealed record DeployFinished(DeployResult Result, int ExitCode) : DeployEvent((string?)null);
