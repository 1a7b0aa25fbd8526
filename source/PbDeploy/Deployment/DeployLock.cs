using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PbDeploy.Processes.Linux;

namespace PbDeploy.Deployment;

/// <summary>
/// One deploy per project at a time: an exclusive <c>flock</c> on a file named after the manifest's path. The kernel
/// drops the lock when its holder exits, however it exits, so a crashed deploy never leaves a stale lock; the file
/// holds the holder's pid and start time only to say who it is.
/// </summary>
public sealed class DeployLock : IDisposable
{
    private int _fd;

    private DeployLock(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file of the project whose manifest is <paramref name="manifestPath"/>.</summary>
    public static string PathFor(string manifestPath)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(System.IO.Path.GetFullPath(manifestPath))))[..16];
        return System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"pbdeploy-{hash}.lock");
    }

    /// <summary>Takes the project's lock, waiting up to <paramref name="timeout"/> while another deploy holds it.</summary>
    /// <param name="manifestPath">The manifest: one lock per manifest.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="waiting">Told once, with the holder, when the lock is taken and this call has to wait.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="DeployLockedException">The lock is still held after <paramref name="timeout"/>; the message says by whom.</exception>
    public static async Task<DeployLock> AcquireAsync(string manifestPath, TimeSpan timeout, Action<string, string>? waiting, CancellationToken cancellationToken)
    {
        var path = PathFor(manifestPath);
        var fd = Open(path);
        var clock = Stopwatch.StartNew();
        var told = false;
        while (Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            if (Libc.LastError != Libc.EWOULDBLOCK)
            {
                _ = Libc.close(fd);
                throw new DeployLockedException($"cannot lock {path} for the deploy of {manifestPath}; check that the file can be written.");
            }

            if (clock.Elapsed >= timeout)
            {
                _ = Libc.close(fd);
                throw new DeployLockedException(
                    $"another deploy of {manifestPath} is running ({Holder(path)}) and still holds {path} after {timeout.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s; " +
                    "wait for it to finish, or raise the lock timeout.");
            }

            if (!told)
            {
                waiting?.Invoke(path, Holder(path));
                told = true;
            }

            try
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _ = Libc.close(fd);
                throw;
            }
        }

        WriteHolder(fd);
        return new DeployLock(fd, path);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Libc.ftruncate(fd, 0);
            _ = Libc.close(fd);
        }
    }

    private static unsafe int Open(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            var fd = Libc.open(p, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, Convert.ToInt32("644", 8)); // never through a link planted in /tmp
            return fd >= 0
                ? fd
                : throw new DeployLockedException($"cannot open the deploy lock {path}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(Libc.LastError)}; check the permissions of {System.IO.Path.GetDirectoryName(path)}.");
        }
    }

    private static unsafe void WriteHolder(int fd)
    {
        var text = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}, started {DateTime.UtcNow:u}\n"));
        _ = Libc.ftruncate(fd, 0);
        fixed (byte* p = text)
        {
            _ = Libc.write(fd, p, (nuint)text.Length);
        }
    }

    /// <summary>
    /// What the lock file says of its holder. Read with libc, not <see cref="File"/>: .NET emulates
    /// <see cref="FileShare"/> with <c>flock(LOCK_SH)</c>, which fails while the holder has the exclusive lock.
    /// </summary>
    private static unsafe string Holder(string path)
    {
        var name = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = name)
        {
            fd = Libc.open(p, Libc.O_RDONLY | Libc.O_CLOEXEC);
        }

        if (fd < 0)
        {
            return "holder unknown";
        }

        try
        {
            var buffer = new byte[1024];
            nint read;
            fixed (byte* b = buffer)
            {
                read = Libc.read(fd, b, (nuint)buffer.Length);
            }

            var text = read > 0 ? Encoding.UTF8.GetString(buffer, 0, (int)read).Trim() : "";
            return text.Length > 0 ? text : "holder unknown";
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }
}
