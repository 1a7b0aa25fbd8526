using System.Globalization;

namespace PbDeploy.Processes.Linux;

/// <summary>Turns a process's start time in clock ticks after boot into wall-clock time.</summary>
internal static class ProcessClock
{
    private static readonly long TicksPerSecond = Math.Max(1, Libc.sysconf(Libc.SC_CLK_TCK));

    /// <summary>When the process started, in UTC; boot time from <c>/proc/uptime</c> (10 ms resolution, where <c>btime</c> has 1 s).</summary>
    public static DateTime StartedUtc(ProcessInfo process)
    {
        var uptime = File.ReadAllText("/proc/uptime");
        var seconds = double.Parse(uptime.AsSpan(0, uptime.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        var boot = DateTime.UtcNow - TimeSpan.FromSeconds(seconds);
        return boot + TimeSpan.FromSeconds((double)process.StartTicks / TicksPerSecond);
    }

    /// <summary>
    /// Now, in the clock ticks after boot that <c>/proc/PID/stat</c> gives start times in: a process started after this
    /// call has a start time no lower (both are the boot clock, cut to the tick; decimal arithmetic, so no rounding up).
    /// </summary>
    public static ulong NowTicks()
    {
        var uptime = File.ReadAllText("/proc/uptime");
        var seconds = decimal.Parse(uptime.AsSpan(0, uptime.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        return (ulong)decimal.Floor(seconds * TicksPerSecond);
    }
}
