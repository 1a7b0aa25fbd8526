using System.Runtime.InteropServices;
using System.Text;

namespace PbDeploy.Platform;

/// <summary>
/// File calls on descriptors, for what <see cref="File"/> cannot say: create with <c>O_EXCL|O_NOFOLLOW</c> and a mode,
/// open relative to a folder already checked (<c>openat</c>), and never block on a FIFO.
/// </summary>
internal static unsafe class NativeFile
{
    /// <summary>The owner-only permissions of every file pbdeploy creates that can hold output.</summary>
    public const int Private = 0x180; // 0600

    /// <summary>The permissions of every folder pbdeploy creates for itself.</summary>
    public const int PrivateFolder = 0x1C0; // 0700

    public static uint Euid => Libc.geteuid();

    /// <summary><c>openat</c>; -1 with the errno in <see cref="Libc.LastError"/> on failure. Always close-on-exec.</summary>
    public static int Open(int dirFd, string path, int flags, int mode = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            int fd;
            do
            {
                fd = Libc.openat(dirFd, p, flags | Libc.O_CLOEXEC, mode);
            }
            while (fd < 0 && Libc.LastError == Libc.EINTR);

            return fd;
        }
    }

    /// <summary><c>mkdirat</c> with mode 0700: 0 when created, else the errno (<see cref="Libc.EEXIST"/> when something is there).</summary>
    public static int MakeFolder(int dirFd, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return Libc.mkdirat(dirFd, p, PrivateFolder) == 0 ? 0 : Libc.LastError;
        }
    }

    public static int Unlink(int dirFd, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* p = bytes)
        {
            return Libc.unlinkat(dirFd, p, 0) == 0 ? 0 : Libc.LastError;
        }
    }

    /// <summary><c>renameat</c> in one folder: replaces the entry <paramref name="to"/> itself, a link included, never what a link points to.</summary>
    public static int Rename(int dirFd, string from, string to)
    {
        var a = Encoding.UTF8.GetBytes(from + "\0");
        var b = Encoding.UTF8.GetBytes(to + "\0");
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            return Libc.renameat(dirFd, pa, dirFd, pb) == 0 ? 0 : Libc.LastError;
        }
    }

    /// <summary>Writes all of <paramref name="content"/>; 0 or the errno.</summary>
    public static int WriteAll(int fd, ReadOnlySpan<byte> content)
    {
        fixed (byte* p = content)
        {
            var done = 0;
            while (done < content.Length)
            {
                var n = Libc.write(fd, p + done, (nuint)(content.Length - done));
                if (n < 0)
                {
                    if (Libc.LastError == Libc.EINTR)
                    {
                        continue;
                    }

                    return Libc.LastError;
                }

                done += (int)n;
            }
        }

        return 0;
    }

    /// <summary>Reads from <paramref name="offset"/> to the end, at most the last <paramref name="maxBytes"/>; the bytes and whether the start was cut.</summary>
    public static (byte[] Bytes, bool Cut) ReadFrom(int fd, long offset, int maxBytes)
    {
        var size = FileStat.Of(fd) is { } stat ? (long)stat.Size : offset;
        var start = Math.Max(offset, size - maxBytes);
        var buffer = new byte[Math.Max(0, size - start)];
        var done = 0;
        fixed (byte* p = buffer)
        {
            while (done < buffer.Length)
            {
                var n = Libc.pread(fd, p + done, (nuint)(buffer.Length - done), start + done);
                if (n < 0 && Libc.LastError == Libc.EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    break;
                }

                done += (int)n;
            }
        }

        return (buffer[..done], start > offset);
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.close(fd);
        }
    }

    /// <summary>The C library's text for an errno ("Permission denied").</summary>
    public static string Error(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
