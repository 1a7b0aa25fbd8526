using PbDeploy.Platform;
using PbDeploy.Processes.Linux;

namespace PbDeploy.Processes;

/// <summary>
/// The one rule every signal of pbdeploy passes: never pid 0, 1 or below, never pbdeploy itself or one of its
/// ancestors (the shell, sudo, the ssh session, the git hook or CI step that runs it), never a kernel thread; never a
/// process group of 1 or below, pbdeploy's own, or one holding an ancestor. A port or a pidfile may name any process;
/// running as root, a mistake here would kill the caller's shell, the machine's init, or with <c>kill(-1)</c> everything.
/// </summary>
internal static class SignalGuard
{
    /// <summary>What <paramref name="pid"/> is when pbdeploy must never signal it ("init", "pbdeploy itself" ...); null when it may.</summary>
    public static string? Protected(int pid) => Protected(pid, null);

    /// <summary>The first of <paramref name="pids"/> that pbdeploy must never signal, with what it is; null when there is none.</summary>
    public static (int Pid, string What)? FirstProtected(IEnumerable<int> pids)
    {
        var ancestors = Ancestors(); // read once for all the pids
        foreach (var pid in pids)
        {
            if (Protected(pid, ancestors) is { } what)
            {
                return (pid, what);
            }
        }

        return null;
    }

    private static string? Protected(int pid, HashSet<int>? ancestors)
    {
        if (pid <= 0)
        {
            return pid == 0 ? "not a process (0 means pbdeploy's own process group)" : "not a process (a negative pid means a process group, -1 every process)";
        }

        if (pid == 1)
        {
            return "init";
        }

        if (pid == Environment.ProcessId)
        {
            return "pbdeploy itself";
        }

        if ((ancestors ?? Ancestors()).Contains(pid))
        {
            return $"an ancestor of pbdeploy ({Name(pid)}: the shell, sudo, session, hook or CI step that runs it)";
        }

        return ProcFs.ReadStat(pid) is { IsKernelThread: true } ? $"a kernel thread ({Name(pid)})" : null;
    }

    /// <summary>Why process group <paramref name="processGroup"/> must never be signalled; null when it may.</summary>
    public static string? ProtectedGroup(int processGroup)
    {
        if (processGroup <= 1)
        {
            return $"process group {processGroup} is {(processGroup == 1 ? "init's" : "not a group (it would mean every process or our own group)")}";
        }

        if (processGroup == Libc.getpgrp())
        {
            return $"process group {processGroup} is pbdeploy's own";
        }

        using var proc = ProcFs.Open();
        foreach (var ancestor in Ancestors())
        {
            if (ancestor == processGroup || proc?.Stat(ancestor)?.ProcessGroup == processGroup)
            {
                return $"process group {processGroup} holds an ancestor of pbdeploy (pid {ancestor}, {Name(ancestor)})";
            }
        }

        return null;
    }

    /// <summary>Throws unless <paramref name="pid"/> may be signalled.</summary>
    /// <exception cref="PbDeployException">It is pid 0 or 1, pbdeploy, an ancestor of it, or a kernel thread.</exception>
    public static void Check(int pid, int signal)
    {
        if (Protected(pid) is { } what)
        {
            throw new EnvironmentException($"refused to send signal {signal} to pid {pid}: pid {pid} is {what}; pbdeploy never signals it. Stop that process by other means if it really is the service.");
        }
    }

    /// <summary>Throws unless <paramref name="processGroup"/> may be signalled.</summary>
    /// <exception cref="PbDeployException">It is a group of 1 or below, pbdeploy's own, or one holding an ancestor of pbdeploy.</exception>
    public static void CheckGroup(int processGroup, int signal)
    {
        if (ProtectedGroup(processGroup) is { } why)
        {
            throw new EnvironmentException($"refused to send signal {signal} to {why}; pbdeploy never signals it. Stop those processes by other means.");
        }
    }

    /// <summary>The pids of pbdeploy's parent, its parent, and so on up to (not including) pid 1, from <c>/proc</c>, read afresh: a parent may die and the chain change.</summary>
    public static HashSet<int> Ancestors()
    {
        var ancestors = new HashSet<int>();
        using var proc = ProcFs.Open();
        if (proc is null)
        {
            return ancestors;
        }

        var current = Environment.ProcessId;
        while (proc.Stat(current) is { ParentPid: > 1 } info && ancestors.Add(info.ParentPid))
        {
            current = info.ParentPid;
        }

        return ancestors;
    }

    /// <summary>The process's command name, for messages.</summary>
    private static string Name(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "gone";
        }
    }
}
