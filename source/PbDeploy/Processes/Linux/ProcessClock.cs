using System.Globalization;
using PbDeploy.Platform;

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
    /// The first tick after now, once it has come (a wait of at most one tick, 10 ms): every process started before
    /// this call has a lower start time, and every process started after it an equal or higher one. With
    /// the current tick instead, a process started just before the call, in the same tick, could not be told from
    /// one started after it.
    /// </summary>
    public static ulong NextTick()
    {
        var now = ReadTicks();
        ulong next;
        while ((next = ReadTicks()) <= now)
        {
            Thread.Sleep(1);
        }

        return next;
    }

    /// <summary>
    /// Now, in the clock ticks after boot that <c>/proc/PID/stat</c> gives start times in (both are the boot clock, cut
    /// to the tick; decimal arithmetic, so no rounding up).
    /// </summary>
    private static ulong ReadTicks()
    {
        var uptime = File.ReadAllText("/proc/uptime");
        var seconds = decimal.Parse(uptime.AsSpan(0, uptime.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        return (ulong)decimal.Floor(seconds * TicksPerSecond);
    }
}
