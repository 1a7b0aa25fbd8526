using System.Collections.Concurrent;
using System.Diagnostics;

namespace PbDeploy.Processes;

/// <summary>
/// Detached services we started stay our children until we exit: one that dies would stay a zombie as long as a
/// long-lived host (a build engine, a test run) lives, and <c>kill -0</c> succeeds on a zombie. A timer reaps them
/// once a second and keeps how each one ended for a minute, for the readiness check that asks.
/// </summary>
internal static class DetachedChildren
{
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(1);
    private static readonly ConcurrentDictionary<int, (ExitStatus? Exit, long ReapedAt)> Children = new();
    private static readonly Lock Gate = new();
    private static Timer? _timer;

    public static void Track(int pid)
    {
        Children[pid] = (null, 0);
        lock (Gate)
        {
            _timer ??= new Timer(_ => ReapAll(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The child's exit status if it has exited (reaping it), or null while it runs.</summary>
    /// <remarks>One lock around <c>waitpid</c> and the record: the timer and a readiness check may ask at once, and
    /// the one that does not reap would get ECHILD and lose the exit code.</remarks>
    public static ExitStatus? TryReap(int pid)
    {
        lock (Gate)
        {
            if (!Children.TryGetValue(pid, out var known))
            {
                return ChildProcess.TryReap(pid);
            }

            if (known.Exit is not null)
            {
                return known.Exit;
            }

            var exit = ChildProcess.TryReap(pid);
            if (exit is not null)
            {
                Children[pid] = (exit, Stopwatch.GetTimestamp());
            }

            return exit;
        }
    }

    /// <summary>
    /// Reaps <paramref name="pid"/> only if it is a detached child we started and track: any other pid may be a child
    /// of this process that the host started itself (a build engine's or a test's <see cref="Process"/>), and reaping
    /// it would take its exit from .NET, which then ends the process (FailFast, "Error while reaping child").
    /// </summary>
    public static void ReapIfTracked(int pid)
    {
        if (Children.ContainsKey(pid))
        {
            _ = TryReap(pid);
        }
    }

    private static void ReapAll()
    {
        foreach (var (pid, entry) in Children)
        {
            if (entry.Exit is null)
            {
                _ = TryReap(pid);
            }
            else if (Stopwatch.GetElapsedTime(entry.ReapedAt) > Keep)
            {
                _ = Children.TryRemove(new KeyValuePair<int, (ExitStatus?, long)>(pid, entry)); // not a newer child of the same pid
            }
        }

        lock (Gate)
        {
            if (Children.IsEmpty)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }
    }
}
