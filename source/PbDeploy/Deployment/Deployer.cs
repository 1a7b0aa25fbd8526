using PbDeploy.Manifest;

namespace PbDeploy.Deployment;

/// <summary>
/// Deploys and stops the services of a manifest. Progress goes to the event callback (never to a console); failures
/// of services are outcomes, and a bad manifest, command or template is a <see cref="PbDeployException"/> thrown
/// before anything was started, stopped or written.
/// </summary>
public sealed class Deployer
{
    private readonly DeployManifest _manifest;
    private readonly Action<DeployEvent> _raise;

    /// <summary>Creates a deployer for <paramref name="manifest"/>; <paramref name="onEvent"/> receives progress, one event at a time.</summary>
    public Deployer(DeployManifest manifest, Action<DeployEvent>? onEvent = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _manifest = manifest;
        var gate = new Lock();
        _raise = onEvent is null ? _ => { } : e =>
        {
            lock (gate)
            {
                onEvent(e);
            }
        };
    }

    /// <summary>
    /// Takes the project's lock, reads what runs, and checks every command and template of the selected services;
    /// then phases can run one at a time. Dispose the session to release the lock.
    /// </summary>
    /// <exception cref="PbDeployException">A service name, command or template is bad (nothing was done), or the lock timed out.</exception>
    internal Task<DeploySession> OpenAsync(DeployOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return DeploySession.OpenAsync(_manifest, options, _raise, cancellationToken);
    }

    /// <summary>Before, StartOrRestart, After (only StartOrRestart when <see cref="DeployOptions.Quick"/>).</summary>
    /// <remarks>
    /// Cancelling stops the steps that run (their commands get SIGTERM, then SIGKILL; a service started but not yet
    /// ready is stopped), runs nothing more, and returns what was done with <see cref="DeployResult.Interrupted"/> set.
    /// </remarks>
    public async Task<DeployResult> DeployAsync(DeployOptions options, CancellationToken cancellationToken)
    {
        using var session = await OpenAsync(options, cancellationToken).ConfigureAwait(false);
        foreach (var phase in PhasesOf(options))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            _ = await session.RunAsync(phase, cancellationToken).ConfigureAwait(false);
        }

        return session.Result with { Interrupted = cancellationToken.IsCancellationRequested };
    }

    /// <summary>Stops the selected services, dependents first.</summary>
    public async Task<DeployResult> StopAsync(DeployOptions options, CancellationToken cancellationToken)
    {
        using var session = await OpenAsync(options, cancellationToken).ConfigureAwait(false);
        _ = await session.RunAsync(Phase.Stop, cancellationToken).ConfigureAwait(false);
        return session.Result with { Interrupted = cancellationToken.IsCancellationRequested };
    }

    /// <summary>The phases of a deploy with these options.</summary>
    public static IReadOnlyList<Phase> PhasesOf(DeployOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Quick ? [Phase.StartOrRestart] : [Phase.Before, Phase.StartOrRestart, Phase.After];
    }
}
