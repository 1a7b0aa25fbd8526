using System.Globalization;

namespace PbDeploy.Hosts;

/// <summary>The words every front end uses for a deploy or stop over hosts (as <see cref="Deployment.DeployText"/> for one machine).</summary>
public static class HostText
{
    /// <summary>What a host that was not run says.</summary>
    public const string NotRun = "not run (an earlier batch failed, or the run was interrupted)";

    /// <summary>One word for what became of a host: <c>ok</c>, <c>failed</c>, <c>unreachable</c>, <c>not run</c>, <c>interrupted</c>.</summary>
    public static string State(HostState state) => state switch
    {
        HostState.Succeeded => "ok",
        HostState.Failed => "failed",
        HostState.Unreachable => "unreachable",
        HostState.NotRun => "not run",
        HostState.Interrupted => "interrupted",
        _ => state.ToString(),
    };

    /// <summary>What a <see cref="HostStarted"/> step does: <c>copying the project (rsync)</c>, <c>deploying</c>, <c>stopping</c>.</summary>
    public static string Step(string step) => step switch
    {
        "sync" => "copying the project (rsync)",
        "deploy" => "deploying",
        "stop" => "stopping",
        _ => step,
    };

    /// <summary>
    /// The message of a failed run: every host that did not succeed, grouped by what became of it
    /// (<c>deploy over hosts: failed: web1; not run: web2 (0 of 2 done, 0.9 s); see above.</c>).
    /// </summary>
    public static string Failure(string what, HostsResult result, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(result);
        var groups = result.Hosts.Where(h => h.IsFailure).GroupBy(h => h.State)
            .Select(g => $"{State(g.Key)}: {string.Join(", ", g.Select(h => h.Host))}");
        var done = result.Hosts.Count(h => !h.IsFailure);
        return string.Create(CultureInfo.InvariantCulture, $"{what} over hosts: {string.Join("; ", groups)} ({done} of {result.Hosts.Count} done, {Seconds(elapsed)}); see above.");
    }

    /// <summary>A duration as the host lines show it: <c>0.9 s</c>.</summary>
    public static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.0} s");
}
