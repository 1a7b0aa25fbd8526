using PbDeploy.Processes;

namespace PbDeploy.Tests.Support;

/// <summary>Kernel threads, which a test may name (in a pidfile ...) but nothing may ever signal.</summary>
public static class KernelThreads
{
    /// <summary>
    /// A kernel thread visible here (kthreadd, pid 2, where it is one), or null: in a PID namespace of its own (as CI
    /// runs the tests) no kernel thread is visible, so none can be named, and the attack that names one cannot be made.
    /// </summary>
    public static int? AnyVisible()
    {
        if (Signals.Describe(2) is { IsKernelThread: true })
        {
            return 2;
        }

        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid) && Signals.Describe(pid) is { IsKernelThread: true })
            {
                return pid;
            }
        }

        return null;
    }
}
