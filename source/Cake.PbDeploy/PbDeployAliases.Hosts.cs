using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.PbDeploy.Internal;
using PbDeploy.Deployment;
using PbDeploy.Hosts;
using PbDeploy.Manifest;

namespace Cake.PbDeploy;

// Over the manifest's hosts, as pbdeploy --hosts: each host's own pbdeploy does the work over ssh
// (PBDEPLOY_SSH_COMMAND, as the CLI), following the manifest's rollout; no lock is taken on this machine.
public static partial class PbDeployAliases
{
    /// <summary>
    /// Deploys the services of a manifest on its <c>hosts</c>, as <c>pbdeploy</c> does: <c>pbdeploy deploy --local</c>
    /// on each host over ssh, <c>rollout.batch</c> hosts at a time, <c>rollout.wait</c> between batches, no batch after
    /// one with a failed host. Progress goes to Cake's log, each host's lines starting with <c>[host]</c>.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <returns>What became of each host, and what its pbdeploy did to each service.</returns>
    /// <exception cref="CakeException">A host failed, was unreachable or not run (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// Task("Release").IsDependentOn("Publish").Does(() => PbDeployHosts("pbdeploy.json"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static HostsResult PbDeployHosts(this ICakeContext context, FilePath manifest) =>
        PbDeployHosts(context, manifest, new PbDeployHostSettings());

    /// <summary>Deploys the services of a manifest on its hosts, with settings (some hosts, some services, quick, no dependencies, sync).</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="settings">The hosts, services, quick, no dependencies, sync and the lock timeout.</param>
    /// <returns>What became of each host, and what its pbdeploy did to each service.</returns>
    /// <exception cref="CakeException">A host failed, was unreachable or not run (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// var result = PbDeployHosts("pbdeploy.json", new PbDeployHostSettings { Hosts = { "web1" }, Sync = true });
    /// Information("web1: {0}", result.Hosts.Single().State);
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static HostsResult PbDeployHosts(this ICakeContext context, FilePath manifest, PbDeployHostSettings settings) =>
        RunOnHosts(context, manifest, settings, stop: false, nameof(PbDeployHosts));

    /// <summary>Deploys the services of a manifest on its hosts, with settings changed by <paramref name="configure"/>.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="configure">Changes the default <see cref="PbDeployHostSettings"/> (hosts, services, quick, no dependencies, sync, lock timeout).</param>
    /// <returns>What became of each host, and what its pbdeploy did to each service.</returns>
    /// <exception cref="CakeException">A host failed, was unreachable or not run (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// PbDeployHosts("pbdeploy.json", s => s.WithHosts("web1", "web2").WithSync());
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static HostsResult PbDeployHosts(this ICakeContext context, FilePath manifest, Action<PbDeployHostSettings> configure) =>
        PbDeployHosts(context, manifest, NewSettings(configure));

    /// <summary>Stops the services of a manifest on its hosts, dependents first on each, batch by batch as a deploy.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <returns>What became of each host, and what its pbdeploy stopped.</returns>
    /// <exception cref="CakeException">A host failed, was unreachable or not run (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// Task("Down").Does(() => PbDeployHostsStop("pbdeploy.json"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static HostsResult PbDeployHostsStop(this ICakeContext context, FilePath manifest) =>
        PbDeployHostsStop(context, manifest, new PbDeployHostSettings());

    /// <summary>Stops some services (or all) of a manifest on some of its hosts (or all).</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="settings">The hosts, services and the lock timeout.</param>
    /// <returns>What became of each host, and what its pbdeploy stopped.</returns>
    /// <exception cref="CakeException">A host failed, was unreachable or not run (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// PbDeployHostsStop("pbdeploy.json", new PbDeployHostSettings { Hosts = { "web2" }, Services = { "worker" } });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static HostsResult PbDeployHostsStop(this ICakeContext context, FilePath manifest, PbDeployHostSettings settings) =>
        RunOnHosts(context, manifest, settings, stop: true, nameof(PbDeployHostsStop));

    /// <summary>Stops the services of a manifest on its hosts, with settings changed by <paramref name="configure"/>.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="configure">Changes the default <see cref="PbDeployHostSettings"/> (hosts, services, lock timeout).</param>
    /// <returns>What became of each host, and what its pbdeploy stopped.</returns>
    /// <exception cref="CakeException">A host failed, was unreachable or not run (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// PbDeployHostsStop("pbdeploy.json", s => s.WithHosts("web2"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static HostsResult PbDeployHostsStop(this ICakeContext context, FilePath manifest, Action<PbDeployHostSettings> configure) =>
        PbDeployHostsStop(context, manifest, NewSettings(configure));

    /// <summary>What runs on each host of a manifest (its <c>pbdeploy status --json</c>), all hosts at once.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <returns>One status per host in manifest order, each with one status per service.</returns>
    /// <exception cref="CakeException">A host was unreachable or its pbdeploy failed (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// foreach (var host in PbDeployHostsStatus("pbdeploy.json"))
    /// {
    ///     foreach (var service in host.Services)
    ///     {
    ///         Information("{0} {1}: {2} {3}", host.Host, service.Name, service.State, service.Pid);
    ///     }
    /// }
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static IReadOnlyList<HostStatus> PbDeployHostsStatus(this ICakeContext context, FilePath manifest) =>
        PbDeployHostsStatus(context, manifest, new PbDeployHostSettings());

    /// <summary>What runs on some hosts (or all) of a manifest, for some services (or all).</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="settings">The hosts and services (the rest is not used).</param>
    /// <returns>One status per host in manifest order, each with one status per service.</returns>
    /// <exception cref="CakeException">A host was unreachable or its pbdeploy failed (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// var web1 = PbDeployHostsStatus("pbdeploy.json", new PbDeployHostSettings { Hosts = { "web1" } }).Single();
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static IReadOnlyList<HostStatus> PbDeployHostsStatus(this ICakeContext context, FilePath manifest, PbDeployHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var loaded = Manifests.Load(context, manifest, nameof(PbDeployHostsStatus));
        var options = HostOptions(settings, stop: true);
        var runner = Manifests.Run(() => new HostDeployer(loaded));
        _ = Manifests.Run(() => runner.Select(options.Hosts));
        using var interruption = new Interruption();
        var statuses = Manifests.RunAsync(() => runner.StatusAsync(options, interruption.Token)).GetAwaiter().GetResult();
        var failed = statuses.Where(s => s.Error is not null).ToList();
        foreach (var host in failed)
        {
            context.Log.Error("{0}", DeployText.Printable($"[{host.Host}] {Word(host)}: {host.Error}"));
        }

        if (failed.Count > 0)
        {
            var groups = failed.GroupBy(Word).Select(g => $"{g.Key}: {string.Join(", ", g.Select(h => h.Host))}");
            throw new CakeException($"PbDeploy status over hosts: {string.Join("; ", groups)} ({statuses.Count - failed.Count} of {statuses.Count} done); see above.");
        }

        return statuses;

        static string Word(HostStatus host) => HostText.State(host.Unreachable ? HostState.Unreachable : HostState.Failed);
    }

    /// <summary>What runs on the hosts of a manifest, with settings changed by <paramref name="configure"/>.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="configure">Changes the default <see cref="PbDeployHostSettings"/> (hosts, services).</param>
    /// <returns>One status per host in manifest order, each with one status per service.</returns>
    /// <exception cref="CakeException">A host was unreachable or its pbdeploy failed (the message names them), or the manifest has no hosts or is bad.</exception>
    /// <example>
    /// <code>
    /// var statuses = PbDeployHostsStatus("pbdeploy.json", s => s.WithServices("web"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static IReadOnlyList<HostStatus> PbDeployHostsStatus(this ICakeContext context, FilePath manifest, Action<PbDeployHostSettings> configure) =>
        PbDeployHostsStatus(context, manifest, NewSettings(configure));

    private static HostsResult RunOnHosts(ICakeContext context, FilePath manifest, PbDeployHostSettings settings, bool stop, string alias)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var loaded = Manifests.Load(context, manifest, alias);
        var log = new CakeDeployLog(context.Log, manifest: loaded);
        // Cake aliases are synchronous; a script runs on a thread without a synchronization context, so this cannot deadlock.
        return HostRuns.RunAsync(log, loaded, HostOptions(settings, stop), stop).GetAwaiter().GetResult();
    }

    private static HostRunOptions HostOptions(PbDeployHostSettings settings, bool stop) => new()
    {
        Deploy = new DeployOptions
        {
            Services = [.. settings.Services],
            Quick = !stop && settings.Quick,
            NoDependencies = settings.NoDependencies,
            LockTimeout = settings.LockTimeout,
        },
        Hosts = [.. settings.Hosts],
        Sync = !stop && settings.Sync,
    };
}
