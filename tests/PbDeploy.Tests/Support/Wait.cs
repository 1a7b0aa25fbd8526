namespace PbDeploy.Tests.Support;

/// <summary>Polling for conditions on real processes, with a deadline.</summary>
public static class Wait
{
    public static async Task Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"{what} did not happen within {timeout.TotalSeconds} s");
            await Task.Delay(20);
        }
    }
}
