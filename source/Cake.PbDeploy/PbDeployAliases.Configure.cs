using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;
using PbDeploy.Deployment;

namespace Cake.PbDeploy;

// The Action<TSettings> overloads: each makes default settings, lets the script change them, and calls the alias
// that takes settings.
public static partial class PbDeployAliases
{
    /// <summary>Deploys the services of a manifest, with settings changed by <paramref name="configure"/>.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="configure">Changes the default <see cref="PbDeploySettings"/> (services, quick, no dependencies, lock timeout).</param>
    /// <returns>What each step did to each service.</returns>
    /// <exception cref="CakeException">A service failed (the message names it and says why), or the manifest, a command or a template is bad.</exception>
    /// <example>
    /// <code>
    /// PbDeploy("pbdeploy.json", s => s.Quick = HasArgument("quick"));
    /// PbDeploy("pbdeploy.json", s => s.WithServices("web").WithNoDependencies());
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static DeployResult PbDeploy(this ICakeContext context, FilePath manifest, Action<PbDeploySettings> configure) =>
        PbDeploy(context, manifest, NewSettings(configure));

    /// <summary>Stops the services of a manifest, with settings changed by <paramref name="configure"/>.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="configure">Changes the default <see cref="PbDeploySettings"/> (services, lock timeout).</param>
    /// <returns>What was stopped.</returns>
    /// <exception cref="CakeException">A service could not be stopped, or the manifest is bad.</exception>
    /// <example>
    /// <code>
    /// PbDeployStop("pbdeploy.json", s => s.WithServices("worker"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static DeployResult PbDeployStop(this ICakeContext context, FilePath manifest, Action<PbDeploySettings> configure) =>
        PbDeployStop(context, manifest, NewSettings(configure));

    /// <summary>Registers the tasks of a manifest, with settings changed by <paramref name="configure"/>.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="configure">Changes the default <see cref="PbDeployTaskSettings"/> (services, quick, no dependencies, lock timeout, task prefix).</param>
    /// <returns>The tasks by name without the prefix (<c>"Deploy"</c>, <c>"Deploy:web"</c> ...).</returns>
    /// <exception cref="CakeException">The manifest is missing or invalid (its message names file, line and key).</exception>
    /// <example>
    /// <code>
    /// var site = PbDeployTasks("site/pbdeploy.json", s => s.TaskPrefix = "Site.");
    /// site["Deploy"].IsDependentOn("Publish");   // the task is "Site.Deploy"
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static PbDeployTaskCollection PbDeployTasks(this ICakeContext context, FilePath manifest, Action<PbDeployTaskSettings> configure) =>
        PbDeployTasks(context, manifest, NewSettings(configure));

    private static T NewSettings<T>(Action<T> configure)
        where T : new()
    {
        ArgumentNullException.ThrowIfNull(configure);
        var settings = new T();
        configure(settings);
        return settings;
    }
}
