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
    /// <exception cref="EnvironmentException">Not Linux on x64 or arm64 (<see cref="PlatformSupport"/>).</exception>
    public Deployer(DeployManifest manifest, Action<DeployEvent>? onEvent = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Platform.PlatformCheck.ThrowIfUnsupported();
        _manifest = manifest;
        _raise = EventGate.OneAtATime(onEvent);
    }

    /// <summary>The file of the project's deploy lock (one per manifest and user), to say which lock a deploy waits for.</summary>
    public string LockPath => DeployLock.PathFor(_manifest.Path);

    /// <summary>
    /// Holds the project's lock until the result is disposed, for a build engine that runs several deploys, stops or
    /// phases of the project one after the other in one run: every session this process opens for the same manifest
    /// meanwhile (by any <see cref="Deployer"/> or <see cref="PhaseRunner"/>) joins the hold instead of taking the lock,
    /// so that none waits for the lock its own process holds. Holds of one project in one process share the lock: the
    /// last one disposed releases it. Another process waits as for a deploy.
    /// </summary>
    /// <param name="timeout">How long to wait while another process holds the lock.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The hold: dispose it to release the lock (once no other hold of this process shares it).</returns>
    /// <exception cref="PbDeployException">The lock is still held by another process after <paramref name="timeout"/>; the message says by whom.</exception>
    public Task<IDisposable> HoldLockAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        DeployLock.HoldAsync(_manifest.Path, timeout, (path, holder) => _raise(new WaitingForLock(path, holder)), cancellationToken);

    /// <summary>
    /// Takes the project's lock, reads what runs, and checks every command and template of the selected services (for
    /// a deploy, the services named and what they depend on, unless <see cref="DeployOptions.NoDependencies"/>; for
    /// a stop, the services named); then pipelines or phases can run. Dispose the session to release the lock.
    /// </summary>
    /// <exception cref="PbDeployException">A service name, command or template is bad (nothing was done), or the lock timed out.</exception>
    internal Task<DeploySession> OpenAsync(DeployOptions options, CancellationToken cancellationToken) =>
        OpenAsync(options, stop: false, cancellationToken);

    /// <inheritdoc cref="OpenAsync(DeployOptions, CancellationToken)"/>
    internal Task<DeploySession> OpenAsync(DeployOptions options, bool stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return DeploySession.OpenAsync(_manifest, options, stop, _raise, cancellationToken);
    }

    /// <summary>
    /// Deploys the services named in <paramref name="options"/> and what they depend on (only those named with
    /// <see cref="DeployOptions.NoDependencies"/>; all when none is named): for each service one pipeline,
    /// <c>before</c> → render → start, restart or leave → readiness → <c>after</c> (no <c>before</c> and <c>after</c>
    /// with <see cref="DeployOptions.Quick"/>). A service's pipeline waits for the whole pipelines of the services it
    /// depends on; independent pipelines run at once; a failed step ends its pipeline and skips its dependents.
    /// </summary>
    /// <remarks>
    /// Cancelling stops the steps that run (their commands get SIGTERM, then SIGKILL; a service started but not yet
    /// ready is stopped), runs nothing more, and returns what was done with <see cref="DeployResult.Interrupted"/> set.
    /// </remarks>
    public async Task<DeployResult> DeployAsync(DeployOptions options, CancellationToken cancellationToken)
    {
        using var session = await OpenAsync(options, stop: false, cancellationToken).ConfigureAwait(false);
        _ = await session.RunPipelinesAsync(options.Quick, cancellationToken).ConfigureAwait(false);
        return session.Result with { Interrupted = cancellationToken.IsCancellationRequested };
    }

    /// <summary>Stops the services named (all when none is named; never what they depend on), dependents first.</summary>
    public async Task<DeployResult> StopAsync(DeployOptions options, CancellationToken cancellationToken)
    {
        using var session = await OpenAsync(options, stop: true, cancellationToken).ConfigureAwait(false);
        _ = await session.RunAsync(Phase.Stop, cancellationToken).ConfigureAwait(false);
        return session.Result with { Interrupted = cancellationToken.IsCancellationRequested };
    }

    /// <summary>The steps of each service's pipeline in a deploy with these options (and the phases a build engine runs for it).</summary>
    public static IReadOnlyList<Phase> PhasesOf(DeployOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Quick ? [Phase.StartOrRestart] : [Phase.Before, Phase.StartOrRestart, Phase.After];
    }
}
