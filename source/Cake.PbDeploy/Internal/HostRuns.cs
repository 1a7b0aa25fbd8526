using System.Diagnostics;
using Cake.Core;
using PbDeploy.Hosts;
using PbDeploy.Manifest;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// A deploy or stop over hosts for Cake, as <c>pbdeploy --hosts</c> runs it: shared by the generated tasks and the
/// <c>PbDeployHosts</c> aliases, so that both say the same. Events go to the log with <c>[host]</c> prefixes, a line
/// per host when done, and a run where a host did not succeed fails naming every such host.
/// </summary>
internal static class HostRuns
{
    /// <summary>Runs it; a wrong host or service name is one line before anything runs.</summary>
    /// <exception cref="CakeException">A host failed, was unreachable or not run, or the run was interrupted.</exception>
    public static async Task<HostsResult> RunAsync(CakeDeployLog log, DeployManifest manifest, HostRunOptions options, bool stop)
    {
        var runner = Manifests.Run(() => new HostDeployer(manifest, log.OnEvent));
        _ = Manifests.Run(() => runner.Select(options.Hosts));
        var what = stop ? "stop" : "deploy";
        var clock = Stopwatch.StartNew();
        using var interruption = new Interruption();
        var result = await Manifests.RunAsync(() => stop
            ? runner.StopAsync(options, interruption.Token)
            : runner.DeployAsync(options, interruption.Token)).ConfigureAwait(false);
        log.HostsSummary(what, result);
        if (result.Succeeded)
        {
            return result;
        }

        throw new CakeException(log.Prefix + (result.Interrupted
            ? $"PbDeploy {what} over hosts was interrupted: each host stopped what it had started and nothing more was run; the lines above say what was done."
            : "PbDeploy " + HostText.Failure(what, result, clock.Elapsed)));
    }
}
