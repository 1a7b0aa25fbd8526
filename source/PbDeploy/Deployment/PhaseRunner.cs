namespace PbDeploy.Deployment;

/// <summary>
/// Runs phases one call at a time, for a build engine whose targets map to phases (Before, StartOrRestart, After,
/// Stop). The phases of one run that act on the same services share one <see cref="DeploySession"/>: one lock, the
/// status read at the start, and what each phase did, so that a service whose <c>before</c> failed is not started
/// and After runs the <c>after</c> commands of a service StartOrRestart just started (a fresh session would take it
/// for one left running). A call for other services, or a Stop, closes the open session first: the lock is per
/// project, and two sessions at once in one process would wait for each other.
/// </summary>
public sealed class PhaseRunner : IDisposable
{
    private readonly Deployer _deployer;
    private DeploySession? _session;
    private string? _services;

    /// <summary>Creates a runner over <paramref name="deployer"/>.</summary>
    public PhaseRunner(Deployer deployer)
    {
        ArgumentNullException.ThrowIfNull(deployer);
        _deployer = deployer;
    }

    /// <summary>
    /// Runs <paramref name="phase"/> for <see cref="DeployOptions.Services"/> (and what they depend on, unless
    /// <see cref="DeployOptions.NoDependencies"/>; a Stop only for those named), opening a session when needed.
    /// </summary>
    /// <exception cref="PbDeployException">A service name, command or template is bad (nothing was done), or the lock timed out.</exception>
    public async Task<IReadOnlyList<ServiceOutcome>> RunAsync(Phase phase, DeployOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var services = string.Join(',', options.Services) + (options.NoDependencies ? " (no dependencies)" : "");
        if (_session is null || _services != services || phase == Phase.Stop)
        {
            Close();
            _session = await _deployer.OpenAsync(options, stop: phase == Phase.Stop, cancellationToken).ConfigureAwait(false);
            _services = services;
        }

        try
        {
            return await _session.RunAsync(phase, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (phase == Phase.Stop)
            {
                Close();
            }
        }
    }

    /// <summary>Ends the open session, if any, releasing the project's lock (at the end of a Deploy, and in any case at the end of the build).</summary>
    public void Close()
    {
        _session?.Dispose();
        _session = null;
        _services = null;
    }

    /// <inheritdoc cref="Close"/>
    public void Dispose() => Close();
}
