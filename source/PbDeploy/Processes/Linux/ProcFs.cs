using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using PbDeploy.Platform;

namespace PbDeploy.Processes.Linux;

/// <summary>
/// Reads <c>/proc</c> with raw libc calls: <c>getdents64</c> and <c>readlinkat</c> relative to an open directory cost
/// one syscall per fd, where .NET's directory enumeration costs three. Unreadable or vanished entries
/// (EACCES, ENOENT) read as empty: a process may exit at any time, and other users' fds are not ours to see.
/// Its stack buffers are not zeroed first (every byte read was written by the kernel call before it): zeroing the
/// 16 KB directory buffer once per process cost 32 MB of writes at 2000 processes.
/// </summary>
[SkipLocalsInit]
internal sealed unsafe class ProcFs : IDisposable
{
    private const int DirentBufferSize = 16384;
    private readonly int _procFd;

    private ProcFs(int procFd) => _procFd = procFd;

    /// <summary>Opens <c>/proc</c>; null where there is none (macOS) or it cannot be read.</summary>
    public static ProcFs? Open()
    {
        var path = "/proc\0"u8;
        fixed (byte* p = path)
        {
            var fd = Libc.open(p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
            return fd < 0 ? null : new ProcFs(fd);
        }
    }

    public void Dispose() => _ = Libc.close(_procFd);

    /// <summary>One process's stat, opening <c>/proc</c> for the purpose; null when it is gone or there is no <c>/proc</c>.</summary>
    public static ProcessInfo? ReadStat(int pid)
    {
        using var proc = Open();
        return proc?.Stat(pid);
    }

    /// <summary>One process's uid, opening <c>/proc</c> for the purpose; -1 when it is gone.</summary>
    public static int ReadUid(int pid)
    {
        using var proc = Open();
        return proc?.Uid(pid) ?? -1;
    }

    /// <summary>Every process id, in the kernel's order (ascending).</summary>
    public List<int> ListPids()
    {
        var pids = new List<int>(512);
        var dup = OpenAt("."u8);
        if (dup < 0)
        {
            return pids;
        }

        try
        {
            ForEachEntry(dup, name =>
            {
                if (name[0] is >= (byte)'1' and <= (byte)'9' && Utf8Parser.TryParse(name, out int pid, out var used) && used == name.Length)
                {
                    pids.Add(pid);
                }

                return true;
            });
        }
        finally
        {
            _ = Libc.close(dup);
        }

        return pids;
    }

    /// <summary>The uid owning <c>/proc/PID</c> (the process's effective uid), or -1 when it is gone.</summary>
    public int Uid(int pid)
    {
        Span<byte> path = stackalloc byte[16];
        var length = WritePath(path, pid, ""u8);
        var statx = stackalloc byte[Libc.StatxLayout.Size];
        fixed (byte* p = path[..length])
        {
            return Libc.statx(_procFd, p, 0, Libc.STATX_UID, statx) == 0 ? *(int*)(statx + Libc.StatxLayout.Uid) : -1;
        }
    }

    /// <summary>
    /// Adds to <paramref name="hits"/> every socket inode of <paramref name="targets"/> that <paramref name="pid"/>
    /// holds. With <paramref name="owners"/>, reads the fds only of a process one of those uids owns (the owner of
    /// <c>/proc/PID/fd</c>, told by the descriptor already open: no second path lookup) and returns false for others.
    /// </summary>
    public bool SocketsHeld(int pid, IReadOnlySet<ulong> targets, List<ulong> hits, IReadOnlySet<int>? owners = null)
    {
        Span<byte> path = stackalloc byte[24];
        var length = WritePath(path, pid, "/fd"u8);
        var fd = OpenAt(path[..length]);
        if (fd < 0)
        {
            return true; // gone, or not ours to read: nothing to come back for
        }

        try
        {
            if (owners is not null)
            {
                var statx = stackalloc byte[Libc.StatxLayout.Size];
                byte emptyPath = 0;
                if (Libc.statx(fd, &emptyPath, Libc.AT_EMPTY_PATH, Libc.STATX_UID, statx) == 0
                    && !owners.Contains(*(int*)(statx + Libc.StatxLayout.Uid)))
                {
                    return false;
                }
            }

            // Straight over the getdents64 records, no callback: the kernel ends each name with a NUL, so readlinkat
            // takes it where it lies. This loop runs once per fd of every process scanned.
            var buffer = stackalloc byte[DirentBufferSize];
            var link = stackalloc byte[64];
            nint n;
            while ((n = Libc.getdents64(fd, buffer, DirentBufferSize)) > 0)
            {
                for (nint offset = 0; offset < n;)
                {
                    var entry = buffer + offset;
                    offset += *(ushort*)(entry + Libc.Dirent64Layout.RecordLength);
                    var name = entry + Libc.Dirent64Layout.Name;
                    if (*name == (byte)'.')
                    {
                        continue;
                    }

                    var linkLength = Libc.readlinkat(fd, name, link, 63);
                    var text = new ReadOnlySpan<byte>(link, (int)Math.Max(linkLength, 0));
                    if (text.StartsWith("socket:["u8) && Utf8Parser.TryParse(text[8..], out ulong inode, out _)
                        && targets.Contains(inode) && !hits.Contains(inode))
                    {
                        hits.Add(inode);
                    }
                }
            }

            return true;
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    /// <summary>The process's stat line, parsed; null when it is gone.</summary>
    public ProcessInfo? Stat(int pid)
    {
        Span<byte> path = stackalloc byte[24];
        var length = WritePath(path, pid, "/stat"u8);
        var fd = OpenAt(path[..length], directory: false);
        if (fd < 0)
        {
            return null;
        }

        var buffer = stackalloc byte[1024];
        nint n;
        try
        {
            n = Libc.read(fd, buffer, 1024);
        }
        finally
        {
            _ = Libc.close(fd);
        }

        return n <= 0 ? null : ProcStat.Parse(pid, new ReadOnlySpan<byte>(buffer, (int)n));
    }

    /// <summary>The direct children of <paramref name="pid"/>, from <c>/proc/PID/task/*/children</c>; null where the kernel lacks that file.</summary>
    public List<int>? Children(int pid)
    {
        Span<byte> path = stackalloc byte[24];
        var length = WritePath(path, pid, "/task"u8);
        var taskFd = OpenAt(path[..length]);
        if (taskFd < 0)
        {
            return [];
        }

        var children = new List<int>();
        var supported = true;
        try
        {
            var buffer = new byte[4096];
            ForEachEntry(taskFd, name =>
            {
                Span<byte> file = stackalloc byte[name.Length + 10];
                name.CopyTo(file);
                "/children\0"u8.CopyTo(file[name.Length..]);
                int fd;
                fixed (byte* f = file)
                {
                    fd = Libc.openat(taskFd, f, Libc.O_RDONLY | Libc.O_CLOEXEC);
                }

                if (fd < 0)
                {
                    // A thread may exit mid-walk (ENOENT, skip it); ENOENT for the main thread of a live process means
                    // this kernel has no children files.
                    var isMainThread = Utf8Parser.TryParse(name, out int tid, out _) && tid == pid;
                    supported = !(isMainThread && Libc.LastError == 2 && Stat(pid) is not null);
                    return supported;
                }

                try
                {
                    ReadPids(fd, buffer, children);
                }
                finally
                {
                    _ = Libc.close(fd);
                }

                return true;
            });
        }
        finally
        {
            _ = Libc.close(taskFd);
        }

        return supported ? children : null;
    }

    private static void ReadPids(int fd, byte[] buffer, List<int> into)
    {
        var text = new List<byte>();
        fixed (byte* b = buffer)
        {
            nint n;
            while ((n = Libc.read(fd, b, (nuint)buffer.Length)) > 0)
            {
                text.AddRange(new ReadOnlySpan<byte>(b, (int)n));
            }
        }

        foreach (var word in Encoding.ASCII.GetString(text.ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(word, out var child))
            {
                into.Add(child);
            }
        }
    }

    private int OpenAt(ReadOnlySpan<byte> relative, bool directory = true)
    {
        Span<byte> path = stackalloc byte[relative.Length + 1];
        relative.CopyTo(path);
        path[^1] = 0;
        fixed (byte* p = path)
        {
            return Libc.openat(_procFd, p, Libc.O_RDONLY | Libc.O_CLOEXEC | (directory ? Libc.O_DIRECTORY : 0));
        }
    }

    /// <summary>Called for each entry but <c>.</c>, <c>..</c> and hidden ones; returns false to stop.</summary>
    private delegate bool EntryVisitor(ReadOnlySpan<byte> name);

    private static void ForEachEntry(int directoryFd, EntryVisitor visit)
    {
        var buffer = stackalloc byte[DirentBufferSize];
        while (true)
        {
            var n = Libc.getdents64(directoryFd, buffer, DirentBufferSize);
            if (n <= 0)
            {
                return;
            }

            for (nint offset = 0; offset < n;)
            {
                var entry = buffer + offset;
                var recordLength = *(ushort*)(entry + Libc.Dirent64Layout.RecordLength);
                var name = new ReadOnlySpan<byte>(entry + Libc.Dirent64Layout.Name, recordLength - Libc.Dirent64Layout.Name);
                var end = name.IndexOf((byte)0);
                if (end >= 0)
                {
                    name = name[..end];
                }

                offset += recordLength;
                if (name.Length > 0 && name[0] != (byte)'.' && !visit(name))
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Writes <c>PID</c> + <paramref name="suffix"/> and a terminating NUL (the buffers are not zeroed: SkipLocalsInit);
    /// returns the length without the NUL.
    /// </summary>
    private static int WritePath(Span<byte> destination, int pid, ReadOnlySpan<byte> suffix)
    {
        _ = Utf8Formatter.TryFormat(pid, destination, out var written);
        suffix.CopyTo(destination[written..]);
        destination[written + suffix.Length] = 0;
        return written + suffix.Length;
    }
}
