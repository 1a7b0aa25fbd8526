using System.Runtime.InteropServices;

namespace PbDeploy.Cli;

/// <summary>
/// Makes closed standard descriptors harmless. Started with stdout closed (<c>pbdeploy &gt;&amp;-</c>), the next file
/// pbdeploy opens (the lock, a template's temporary file) would get descriptor 1, and the output would be written
/// into it; so, as git does, each closed one of 0, 1 and 2 is opened on <c>/dev/null</c> first.
/// </summary>
internal static partial class StandardStreams
{
    private const int FGetFd = 1;
    private const int ORdWr = 2;
    private const int EBADF = 9;
    private const int FdCloexec = 1;

    /// <summary>Opens each closed one of 0, 1 and 2 on <c>/dev/null</c>.</summary>
    /// <returns>
    /// For each of 0, 1 and 2, whether the runtime took it before <c>Main</c> (close-on-exec, which no inherited
    /// descriptor can be): with stdout and stderr both closed, .NET's own signal pipe becomes 1 and 2, and what
    /// pbdeploy wrote to them went into that pipe. Such a stream must not be written at all.
    /// </returns>
    public static bool[] OpenClosedOnDevNull()
    {
        var taken = new bool[3];
        for (var fd = 0; fd <= 2; fd++)
        {
            var flags = fcntl(fd, FGetFd);
            if (flags >= 0)
            {
                taken[fd] = (flags & FdCloexec) != 0;
                continue;
            }

            if (Marshal.GetLastPInvokeError() != EBADF)
            {
                continue;
            }

            var opened = open("/dev/null", ORdWr);
            if (opened >= 0 && opened != fd)
            {
                // The lowest free descriptor is this one, unless the runtime took it; then move it here.
                _ = dup2(opened, fd);
                _ = close(opened);
            }
        }

        return taken;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl(int fd, int command);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int dup2(int from, int to);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int close(int fd);
}
