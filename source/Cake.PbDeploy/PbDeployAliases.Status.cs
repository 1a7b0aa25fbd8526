using Cake.Core.Annotations;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core;
using Cake.PbDeploy.Internal;
using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace Cake.PbDeploy;

public static partial class PbDeployAliases
{
    /// <summary>
    /// What runs for each service of a manifest on this machine: running (with its pids), stopped, or foreign (the port
    /// listens, its process cannot be seen). It only reads, so a manifest with <c>hosts</c> is read here too; use
    /// <c>PbDeployHostsStatus</c> for what runs on the hosts.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="services">The services; none for all of them.</param>
    /// <returns>One status per service, in manifest order.</returns>
    /// <exception cref="CakeException">The manifest is bad, or a name is not one of its services.</exception>
    /// <example>
    /// <code>
    /// foreach (var status in PbDeployStatus("pbdeploy.json"))
    /// {
    ///     Information("{0}: {1} {2}", status.Name, status.State, status.Pid);
    /// }
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static IReadOnlyList<ServiceStatus> PbDeployStatus(this ICakeContext context, FilePath manifest, params string[] services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var loaded = Manifests.Load(context, manifest, nameof(PbDeployStatus));
        return Manifests.Run(() => new StatusReader().Read(loaded, loaded.Select(services)));
    }

    /// <summary>Writes the templates of the services as a deploy would, and nothing else: all in memory first, so one bad template means no file is written.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="manifest">The manifest, relative to the script's working folder.</param>
    /// <param name="services">The services; none for all of them.</param>
    /// <returns>The files each service's templates were rendered to.</returns>
    /// <exception cref="CakeException">A template is bad (its message names file, line and column), or cannot be written.</exception>
    /// <example>
    /// <code>
    /// Task("Configs").Does(() => PbDeployRender("pbdeploy.json", "nginx"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static IReadOnlyList<ServiceRender> PbDeployRender(this ICakeContext context, FilePath manifest, params string[] services)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(services);
        var loaded = Manifests.Load(context, manifest, nameof(PbDeployRender));
        var renders = Manifests.Run(() => TemplateRun.Render(loaded, loaded.Select(services)));
        foreach (var render in renders)
        {
            foreach (var file in render.Files)
            {
                context.Log.Information("{0}: {1} {2}", render.Service, file.Changed ? "rendered" : "unchanged", file.Target);
            }
        }

        return renders;
    }

    /// <summary>The pid of the process that listens on a TCP port (the topmost holder: a master, not its workers), or null when nothing we can see listens.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="port">The port.</param>
    /// <returns>The pid, or null.</returns>
    /// <example>
    /// <code>
    /// if (PortOwner(8080) is int pid)
    /// {
    ///     Information("port 8080 is held by pid {0}", pid);
    /// }
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static int? PortOwner(this ICakeContext context, int port)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new ProcessFinder().FindPortOwner(port).Pid;
    }
}
