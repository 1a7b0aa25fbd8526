using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;
using Cake.PbDeploy.Internal;

namespace Cake.PbDeploy;

/// <summary>
/// PbDeploy in Cake scripts: build tasks generated from <c>pbdeploy.json</c>, and aliases to deploy, stop, render
/// and read the status of port-based services. Load the addin with
/// <c>#addin nuget:?package=Cake.PbDeploy&amp;version=0.1.0</c>.
/// </summary>
[CakeAliasCategory("PbDeploy")]
[CakeNamespaceImport("Cake.PbDeploy")]
// Every namespace whose types the aliases take or return, so that a script never needs to name them: in a script the
// PbDeploy(...) alias is a member of the script, which hides the PbDeploy namespace (PbDeploy.Deployment.X is CS0119;
// global::PbDeploy.Deployment.X works).
[CakeNamespaceImport("PbDeploy")]
[CakeNamespaceImport("PbDeploy.Deployment")]
[CakeNamespaceImport("PbDeploy.Hosts")]
[CakeNamespaceImport("PbDeploy.Manifest")]
[CakeNamespaceImport("PbDeploy.Processes")]
[CakeNamespaceImport("PbDeploy.Status")]
[CakeNamespaceImport("PbDeploy.Templating")]
public static partial class PbDeployAliases
{
    /// <summary>
    /// Registers the tasks of a manifest: <c>Before</c>, <c>StartOrRestart</c>, <c>After</c> (each a phase for all the
    /// services at once), <c>Stop</c> and <c>Deploy</c> (as <c>pbdeploy</c>: before, start/restart and after service by
    /// service, each after the services it depends on, by itself, so <c>--exclusive</c> works; it depends on the
    /// three phase tasks, which then do nothing, so that tasks wired before <c>Before</c> run first), and for each
    /// service <c>Before:NAME</c>, <c>StartOrRestart:NAME</c>, <c>After:NAME</c>, <c>Stop:NAME</c> and
    /// <c>Deploy:NAME</c>. A bare <c>--quick</c> skips the before and after commands; <c>--services=web,api</c> limits
    /// the tasks without a service name to those services (checked before any task runs); a deploy also deploys what
    /// they depend on, unless <c>--no-deps</c>. A service that fails fails its task with its reason, once the
    /// services that do not depend on it are done. The manifest is read again when the first of these tasks runs (an
    /// earlier task may write it); one that cannot be read when the script loads registers the tasks without a
    /// service name only. Call it after the script's own tasks, before <c>RunTarget</c>.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <returns>
    /// The tasks by name (<c>"Deploy"</c>, <c>"Deploy:web"</c> ...), to wire into the script's own graph;
    /// <see cref="PbDeployTaskCollection.IsDependentOn(string)"/> wires a task before every one that deploys.
    /// </returns>
    /// <exception cref="CakeException">A task of the script has the name of one of these (give them a prefix with <see cref="PbDeployTaskSettings.TaskPrefix"/>).</exception>
    /// <example>
    /// <code>
    /// #addin nuget:?package=Cake.PbDeploy&amp;version=0.1.0
    ///
    /// Task("Publish").Does(() => DotNetPublish("src/Web/Web.csproj"));
    /// var deploy = PbDeployTasks("pbdeploy.json");
    /// deploy.IsDependentOn("Publish");   // before Deploy, Deploy:web, Before, StartOrRestart ... (not Stop)
    ///
    /// RunTarget(Argument("target", "Deploy"));
    /// // dotnet cake --target=Deploy | --target=Deploy --quick | --target=Deploy:web [--no-deps] | --target=Stop
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static PbDeployTaskCollection PbDeployTasks(this ICakeContext context, FilePath manifest) =>
        PbDeployTasks(context, manifest, new PbDeployTaskSettings());

    /// <summary>
    /// Registers the tasks of a manifest, as <see cref="PbDeployTasks(ICakeContext, FilePath)"/>, with settings that
    /// fix the services and <c>--quick</c> instead of the command line, or put a prefix before every task name.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>The tasks by name without the prefix (<c>"Deploy"</c>, <c>"Deploy:web"</c> ...).</returns>
    /// <exception cref="CakeException">A task of the script has the name of one of these.</exception>
    /// <example>
    /// <code>
    /// var api = PbDeployTasks("api/pbdeploy.json", new PbDeployTaskSettings { TaskPrefix = "Api." });
    /// api["Deploy"].IsDependentOn("Test");   // the task is "Api.Deploy"
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static PbDeployTaskCollection PbDeployTasks(this ICakeContext context, FilePath manifest, PbDeployTaskSettings settings) =>
        DeployTaskGraph.Register(context, manifest, settings);
}
