using System.Diagnostics;
using PbDeploy.Processes;

namespace PbDeploy.Tests.Processes;

/// <summary>The one way PbDeploy waits: ask until there is an answer, or the time is up, or the wait is cancelled.</summary>
public sealed class PollTests
{
    [Fact(Timeout = 10_000)]
    public async Task An_answer_ends_the_wait_with_that_answer()
    {
        var asked = 0;

        var answer = await Poll.UntilAsync(() => ++asked == 4 ? "ready" : null, TimeSpan.FromSeconds(5), CancellationToken.None);

        answer.ShouldBe("ready");
        asked.ShouldBe(4);
    }

    [Fact(Timeout = 10_000)]
    public async Task No_answer_in_time_is_null_after_about_the_timeout_and_a_last_question()
    {
        var asked = 0;
        var clock = Stopwatch.StartNew();

        var answer = await Poll.UntilAsync(() => { asked++; return (string?)null; }, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        answer.ShouldBeNull();
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
        asked.ShouldBeGreaterThanOrEqualTo(2, "once at the start and once at the deadline, at least");
        asked.ShouldBeLessThanOrEqualTo((int)(clock.Elapsed.TotalMilliseconds / 5) + 2, "never more often than the first pause of 5 ms");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_cancelled_wait_throws()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Should.ThrowAsync<OperationCanceledException>(() => Poll.UntilAsync(() => false, Timeout.InfiniteTimeSpan, cancel.Token));
    }
}
