using PbDeploy.Processes;

namespace PbDeploy.Tests.Support;

/// <summary>Process groups as the tests see them: a zombie is dead, whoever reaps it (or not) and whenever.</summary>
public static class ProcessGroups
{
    /// <summary>True when no live (non-zombie) process is left in <paramref name="processGroup"/>.</summary>
    public static bool IsGone(int processGroup)
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid)
                && Signals.Describe(pid) is { IsZombie: false } process
                && process.ProcessGroup == processGroup)
            {
                return false;
            }
        }

        return true;
    }
}
