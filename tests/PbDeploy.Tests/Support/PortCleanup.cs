using PbDeploy.Processes;

namespace PbDeploy.Tests.Support;

/// <summary>Kills, by pid, whatever still listens on the test's ports when the test ends: a failed test leaves nothing behind.</summary>
public sealed class PortCleanup(params int[] ports) : IDisposable
{
    public void Dispose()
    {
        foreach (var owner in new ProcessFinder().FindPortOwners(ports).Values)
        {
            foreach (var pid in owner.Pids)
            {
                if (Signals.Describe(pid) is { } process)
                {
                    _ = Signals.Send(process, Signals.Kill);
                }
            }
        }
    }
}
