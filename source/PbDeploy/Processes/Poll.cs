using System.Diagnostics;

namespace PbDeploy.Processes;

/// <summary>
/// The one way PbDeploy waits for something it cannot be told about (a child's exit, a port that listens or is freed, a
/// lock another process holds): ask, then ask again after 5 ms, doubling the pause up to 50 ms. Quick answers stay
/// quick, and a long wait costs about 20 questions a second.
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);
    private static readonly object Done = new();

    /// <summary>
    /// Asks <paramref name="probe"/> until it answers (not null) or <paramref name="timeout"/> has passed (then null; it
    /// is asked once more at the deadline). <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<T?> UntilAsync<T>(Func<T?> probe, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var clock = Stopwatch.StartNew(); // monotonic: a clock set back or forward changes no wait
        var pause = FirstPause;
        while (true)
        {
            if (probe() is { } answer)
            {
                return answer;
            }

            var left = timeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            // Never less than a millisecond: Task.Delay rounds a shorter wait down to none, which would spin to the deadline.
            var wait = pause < left ? pause : left;
            await Task.Delay(wait < MinimumWait ? MinimumWait : wait, cancellationToken).ConfigureAwait(false);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }

    /// <summary>Asks <paramref name="done"/> until it is true (then true) or <paramref name="timeout"/> has passed (then false).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<bool> UntilAsync(Func<bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(done);
        return await UntilAsync(() => done() ? Done : null, timeout, cancellationToken).ConfigureAwait(false) is not null;
    }
}
