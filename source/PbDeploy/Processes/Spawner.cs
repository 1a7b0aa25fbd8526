using System.Runtime.InteropServices;
using PbDeploy.Platform;

namespace PbDeploy.Processes;

/// <summary>
/// Starts processes with libc <c>posix_spawn</c>: no pipes (output goes to a file the caller opened, so a child that backgrounds a
/// server can never hang the caller), every inherited fd above 2 closed, signal dispositions and mask reset (the .NET
/// runtime ignores SIGPIPE, which children would otherwise inherit), and a new process group or session. The pid is
/// known at once, and the caller reaps it with <see cref="ChildProcess"/>.
/// </summary>
internal static unsafe class Spawner
{
    public static int Spawn(SpawnRequest request)
    {
        try
        {
            return SpawnOrThrow(request);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new EnvironmentException(
                $"cannot start {request.Program}: this system's C library lacks {e.Message.Split('\'').Skip(1).FirstOrDefault() ?? "a posix_spawn extension"}; pbdeploy starts processes on Linux with glibc 2.34 or later.", e);
        }
    }

    private static int SpawnOrThrow(SpawnRequest request)
    {
        var strings = new List<nint>();
        var vectors = new List<nint>();
        byte* Utf8(string value)
        {
            var p = Marshal.StringToCoTaskMemUTF8(value);
            strings.Add(p);
            return (byte*)p;
        }

        byte** Vector(IReadOnlyList<string> values)
        {
            var vector = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
            vectors.Add((nint)vector);
            for (var i = 0; i < values.Count; i++)
            {
                vector[i] = Utf8(values[i]);
            }

            return vector;
        }

        var attr = NativeMemory.AllocZeroed(Libc.SpawnAttrBytes);
        var actions = NativeMemory.AllocZeroed(Libc.SpawnFileActionsBytes);
        var signals = NativeMemory.AllocZeroed(Libc.SigsetBytes);
        try
        {
            Check(Libc.posix_spawnattr_init(attr), request, "posix_spawnattr_init");
            Check(Libc.posix_spawn_file_actions_init(actions), request, "posix_spawn_file_actions_init");

            _ = Libc.sigfillset(signals);
            _ = Libc.posix_spawnattr_setsigdefault(attr, signals);
            _ = Libc.sigemptyset(signals);
            _ = Libc.posix_spawnattr_setsigmask(attr, signals);
            var flags = (short)(Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK | (request.NewSession ? Libc.POSIX_SPAWN_SETSID : Libc.POSIX_SPAWN_SETPGROUP));
            Check(Libc.posix_spawnattr_setflags(attr, flags), request, "posix_spawnattr_setflags");
            if (!request.NewSession)
            {
                _ = Libc.posix_spawnattr_setpgroup(attr, 0);
            }

            Check(
                request.InputFd >= 0
                    ? Libc.posix_spawn_file_actions_adddup2(actions, request.InputFd, 0)
                    : Libc.posix_spawn_file_actions_addopen(actions, 0, Utf8("/dev/null"), Libc.O_RDONLY, 0),
                request,
                "open stdin");
            Check(Libc.posix_spawn_file_actions_adddup2(actions, request.OutputFd, 1), request, "dup2 output");
            Check(Libc.posix_spawn_file_actions_adddup2(actions, request.ErrorFd >= 0 ? request.ErrorFd : 1, 2), request, "dup2 error");
            Check(Libc.posix_spawn_file_actions_addclosefrom_np(actions, 3), request, "closefrom");
            Check(Libc.posix_spawn_file_actions_addchdir_np(actions, Utf8(request.WorkingDirectory)), request, "chdir");

            var argv = Vector([request.Program, .. request.Arguments]);
            var envp = Vector([.. request.Environment.Select(e => $"{e.Key}={e.Value}")]);
            int pid;
            var error = Libc.posix_spawn(&pid, Utf8(request.Program), actions, attr, argv, envp);
            if (error != 0)
            {
                throw new EnvironmentException(
                    $"cannot start {request.Program} in {request.WorkingDirectory}: {Marshal.GetPInvokeErrorMessage(error)} " +
                    $"(output to {request.OutputPath}); check that the folder exists and the program can be run.");
            }

            return pid;
        }
        finally
        {
            _ = Libc.posix_spawn_file_actions_destroy(actions);
            _ = Libc.posix_spawnattr_destroy(attr);
            NativeMemory.Free(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(signals);
            foreach (var p in strings)
            {
                Marshal.FreeCoTaskMem(p);
            }

            foreach (var p in vectors)
            {
                NativeMemory.Free((void*)p);
            }
        }
    }

    private static void Check(int result, SpawnRequest request, string step)
    {
        if (result != 0)
        {
            throw new EnvironmentException($"cannot start {request.Program}: {step} failed: {Marshal.GetPInvokeErrorMessage(result)}.");
        }
    }
}
