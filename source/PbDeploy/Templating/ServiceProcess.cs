using System.Globalization;

namespace PbDeploy.Templating;

/// <summary>
/// What a service's templates know of its running process: the values of <c>pid</c> and <c>pids</c>, or why they are not
/// available. The status layer makes it from what it found; templating needs nothing else of the status, so it does not
/// depend on it.
/// </summary>
/// <param name="Pid">The master pid; null when the service does not run (or runs as a process pbdeploy may not use).</param>
/// <param name="Pids">Every holder, ascending; empty when <paramref name="Pid"/> is null.</param>
/// <param name="Unavailable">Why <c>pid</c> is not available, when <paramref name="Pid"/> is null.</param>
internal sealed record ServiceProcess(int? Pid, IReadOnlyList<int> Pids, string? Unavailable)
{
    /// <summary>The master <paramref name="pid"/> and every holder (<paramref name="pids"/>, or the master alone when empty).</summary>
    public static ServiceProcess Running(int pid, IReadOnlyList<int> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        return new(pid, pids.Count > 0 ? pids : [pid], null);
    }

    /// <summary>Not available, for <paramref name="why"/>.</summary>
    public static ServiceProcess NotAvailable(string why) => new(null, [], why);

    /// <summary>Why <c>pid</c> is not available for a service that does not run: what was looked at, and what it said.</summary>
    /// <param name="name">The service's name.</param>
    /// <param name="port">Its port, or null for a pidfile service.</param>
    /// <param name="pidfile">Its pidfile as written in the manifest, for a pidfile service.</param>
    public static string NotRunning(string name, int? port, string? pidfile) => port is { } p
        ? $"service '{name}' is not running (nothing listens on port {p.ToString(CultureInfo.InvariantCulture)})"
        : $"service '{name}' is not running (its pidfile {pidfile} names no live process)";
}
