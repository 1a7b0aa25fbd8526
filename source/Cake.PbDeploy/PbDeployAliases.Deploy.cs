using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;
using Cake.PbDeploy.Internal;
using PbDeploy.Deployment;

namespace Cake.PbDeploy;

public static partial class PbDeployAliases
{
    /// <summary>
    /// Deploys the services of a manifest at once, as <c>pbdeploy</c> does: one pipeline per service, before →
    /// start/restart → after (start/restart only with <see cref="PbDeploySettings.Quick"/>), each service after the
    /// whole pipelines of those it depends on. Progress goes to Cake's log. It acts on this machine: a manifest with
    /// <c>hosts</c> is refused, nothing started, unless <see cref="PbDeploySettings.Local"/> (use <c>PbDeployHosts</c>).
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <returns>What each step did to each service.</returns>
    /// <exception cref="CakeException">A service failed (the message names it and says why), or the manifest, a command or a template is bad, or the manifest has hosts and <see cref="PbDeploySettings.Local"/> is not set.</exception>
    /// <example>
    /// <code>
    /// Task("Release").IsDependentOn("Publish").Does(() => PbDeploy("pbdeploy.json"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static DeployResult PbDeploy(this ICakeContext context, FilePath manifest) =>
        PbDeploy(context, manifest, new PbDeploySettings());

    /// <summary>Deploys the services of a manifest with settings (some services and what they depend on, quick, no dependencies).</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="settings">The services, quick, no dependencies, and the lock timeout.</param>
    /// <returns>What each step did to each service.</returns>
    /// <exception cref="CakeException">A service failed (the message names it and says why), or the manifest, a command or a template is bad, or the manifest has hosts and <see cref="PbDeploySettings.Local"/> is not set.</exception>
    /// <example>
    /// <code>
    /// var result = PbDeploy("pbdeploy.json", new PbDeploySettings { Services = { "web" }, Quick = true });
    /// Information("web: {0}", result.Outcomes.Single().Action);
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static DeployResult PbDeploy(this ICakeContext context, FilePath manifest, PbDeploySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Run(context, manifest, settings, "deploy", nameof(PbDeploy), (deployer, options, token) => deployer.DeployAsync(options with { Quick = settings.Quick, NoDependencies = settings.NoDependencies }, token));
    }

    /// <summary>
    /// Stops the services of a manifest on this machine, dependents first, as <c>pbdeploy stop --local</c> does (only
    /// those named: never what they depend on). A manifest with <c>hosts</c> is refused unless
    /// <see cref="PbDeploySettings.Local"/> (use <c>PbDeployHostsStop</c>).
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <returns>What was stopped.</returns>
    /// <exception cref="CakeException">A service could not be stopped, or the manifest is bad, or it has hosts and <see cref="PbDeploySettings.Local"/> is not set.</exception>
    /// <example>
    /// <code>
    /// Teardown(context => PbDeployStop("pbdeploy.json"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static DeployResult PbDeployStop(this ICakeContext context, FilePath manifest) =>
        PbDeployStop(context, manifest, new PbDeploySettings());

    /// <summary>Stops some services of a manifest (or all when <see cref="PbDeploySettings.Services"/> is empty).</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="settings">The services and the lock timeout.</param>
    /// <returns>What was stopped.</returns>
    /// <exception cref="CakeException">A service could not be stopped, or the manifest is bad, or it has hosts and <see cref="PbDeploySettings.Local"/> is not set.</exception>
    /// <example>
    /// <code>
    /// PbDeployStop("pbdeploy.json", new PbDeploySettings { Services = { "worker" } });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static DeployResult PbDeployStop(this ICakeContext context, FilePath manifest, PbDeploySettings settings) =>
        Run(context, manifest, settings, "stop", nameof(PbDeployStop), (deployer, options, token) => deployer.StopAsync(options, token));

    /// <summary>
    /// Runs a deploy or stop. While the script's generated tasks hold the project's lock (one session per Cake run),
    /// the alias joins it instead of waiting for its own process; otherwise it takes the lock for its own length.
    /// </summary>
    private static DeployResult Run(ICakeContext context, FilePath manifest, PbDeploySettings settings, string what, string alias, Func<Deployer, DeployOptions, CancellationToken, Task<DeployResult>> run)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var loaded = Manifests.Load(context, manifest, alias);
        if (loaded.Hosts.Count > 0 && !settings.Local)
        {
            // A build script would otherwise start production services on the build machine.
            var (hostsAlias, verb) = what == "deploy" ? (nameof(PbDeployHosts), "deploy") : (nameof(PbDeployHostsStop), "stop");
            throw new CakeException(
                $"PbDeploy: {loaded.Path} has hosts ({string.Join(", ", loaded.Hosts.Select(h => h.Name))}): {alias} acts on this machine; " +
                $"call {hostsAlias}(\"{manifest}\") to {verb} on the hosts, or set Local = true (PbDeploySettings) to {verb} here.");
        }

        var log = new CakeDeployLog(context.Log, manifest: loaded);
        var deployer = new Deployer(loaded, log.OnEvent);
        log.Diagnostics(loaded, deployer);
        var options = new DeployOptions { Services = [.. settings.Services], LockTimeout = settings.LockTimeout };
        if (what == "deploy" && settings.NoDependencies)
        {
            Manifests.Run(() => { log.WarnStoppedDependencies(loaded, options.Services); return 0; });
        }

        // Cake aliases are synchronous; a script runs on a thread without a synchronization context, so this cannot deadlock.
        using var interruption = new Interruption();
        var result = Manifests.RunAsync(() => run(deployer, options, interruption.Token)).GetAwaiter().GetResult();
        if (result.Interrupted)
        {
            throw new CakeException($"PbDeploy {what} was interrupted: the steps that were running were stopped and nothing more was run.");
        }

        Manifests.ThrowOnFailure(what, result.Outcomes);
        return result;
    }
}
