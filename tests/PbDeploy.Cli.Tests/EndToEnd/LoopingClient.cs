using System.Diagnostics;
using System.Globalization;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>One answer of a <see cref="LoopingClient"/>: the body of a 200, else what went wrong; and how long it took.</summary>
public sealed record Answer(string Body, TimeSpan Time);

/// <summary>
/// A client that asks <c>GET http://127.0.0.1:PORT/</c> one request after the other, each with a timeout, until it is
/// stopped: a user's <c>while curl -fsS 127.0.0.1:PORT; do :; done</c> during a redeploy, keeping every answer.
/// </summary>
public sealed class LoopingClient : IAsyncDisposable
{
    private readonly List<Answer> _answers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private LoopingClient(int port) => _loop = Task.Run(() => AskUntilStoppedAsync(port));

    /// <summary>Every answer so far, in order.</summary>
    public IReadOnlyList<Answer> Answers
    {
        get
        {
            lock (_answers)
            {
                return [.. _answers];
            }
        }
    }

    /// <summary>Starts asking on <paramref name="port"/>.</summary>
    public static LoopingClient Start(int port) => new(port);

    /// <summary>Waits until <paramref name="count"/> more answers than <paramref name="after"/> have come, within 20 s.</summary>
    public Task WaitForAnswersAsync(int count, int after, string what) =>
        RealServices.UntilAsync(() => Task.FromResult(Answers.Count - after), n => n >= count, TimeSpan.FromSeconds(20), what);

    /// <summary>Stops asking once the request under way has its answer; returns every answer.</summary>
    public async Task<IReadOnlyList<Answer>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Answers;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    /// <summary>
    /// Every answer is <paramref name="oldBody"/> or <paramref name="newBody"/>: no failed request. The new one comes,
    /// after some old ones, and once it has come the old one never does again; the last 20 are the new one.
    /// </summary>
    public static void ShouldSwitchWithoutAFailedRequest(IReadOnlyList<Answer> answers, string oldBody, string newBody)
    {
        var failed = answers.Where(r => r.Body != oldBody && r.Body != newBody).ToList();
        failed.ShouldBeEmpty($"failed requests: {string.Join("; ", failed.Take(5).Select(f => f.Body))}");
        var firstNew = answers.ToList().FindIndex(r => r.Body == newBody);
        firstNew.ShouldBeGreaterThan(0, "the old version answers first, then the new one");
        answers.Skip(firstNew).ShouldAllBe(r => r.Body == newBody, "once the new copy answers, the old one never does again");
        answers.TakeLast(20).ShouldAllBe(r => r.Body == newBody);
    }

    /// <summary>What to print after the test: how many requests, how many during the redeploy, the slowest, the failed, each slow one.</summary>
    public static string Describe(IReadOnlyList<Answer> answers, int duringRedeploy, TimeSpan redeploy, string oldBody, string newBody)
    {
        var failed = answers.Count(r => r.Body != oldBody && r.Body != newBody);
        var slow = answers.Select((r, i) => (r, i)).Where(x => x.r.Time > TimeSpan.FromMilliseconds(200))
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"\nslow: #{x.i} {x.r.Time.TotalMilliseconds:0} ms {x.r.Body.Trim()}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{answers.Count} requests, {duringRedeploy} of them during the redeploy of {redeploy.TotalSeconds:0.00} s; slowest {answers.Max(r => r.Time).TotalMilliseconds:0} ms; failed {failed}")
            + string.Concat(slow);
    }

    private async Task AskUntilStoppedAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!_stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            string body;
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"), CancellationToken.None);
                body = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(CancellationToken.None) : $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                body = $"{e.GetType().Name}: {e.Message}";
            }

            lock (_answers)
            {
                _answers.Add(new Answer(body, clock.Elapsed));
            }
        }
    }
}
