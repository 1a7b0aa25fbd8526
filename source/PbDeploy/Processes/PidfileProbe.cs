using System.Globalization;
using System.Text;
using PbDeploy.Platform;
using PbDeploy.Processes.Linux;

namespace PbDeploy.Processes;

/// <summary>
/// Reads a pidfile and believes it only when its pid is alive, not a zombie, and started before the pidfile was
/// last written: a pid that started later is a reused pid, and signalling it would hit an unrelated process. A pidfile
/// naming a process pbdeploy never signals (init, pbdeploy itself, an ancestor of it, a kernel thread) is refused: the
/// service is neither started next to it (it might be the service, under a supervisor) nor signalled.
/// </summary>
internal static class PidfileProbe
{
    /// <summary>A process may write its pidfile a little before the kernel's start time rounds up; allow for it.</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromSeconds(1);

    /// <summary>Checks the pidfile at <paramref name="path"/> (absolute).</summary>
    public static PidfileOwner Read(string path)
    {
        string text;
        DateTime written;
        uint? owner;
        try
        {
            if (FileKind.Of(path) is FileKind.Kind.Other)
            {
                // A FIFO or a device would block or never end on read: never read anything but a regular file.
                return Stopped($"pidfile {path} is not a regular file; treating the service as stopped");
            }

            (text, written, owner) = ReadOwned(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new PidfileOwner(ServiceState.Stopped, null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Stopped($"cannot read pidfile {path} ({e.Message}); treating the service as stopped");
        }

        var trimmed = text.Trim();
        if (!int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            var shown = trimmed.Length > 20 ? trimmed[..20] + "..." : trimmed;
            return Stopped(trimmed.Length == 0
                ? $"pidfile {path} is empty; treating the service as stopped"
                : $"pidfile {path} holds no pid ('{shown}'); treating the service as stopped");
        }

        if (SignalGuard.Protected(pid) is { } what)
        {
            return new PidfileOwner(ServiceState.Foreign, pid,
                $"pidfile {path} names pid {pid}, which is {what}; pbdeploy will neither signal it nor start a second copy. Fix or remove the pidfile, then deploy again");
        }

        using var proc = ProcFs.Open();
        if (proc is null)
        {
            return IsAliveBySignal(pid)
                ? new PidfileOwner(ServiceState.Running, pid, null)
                : Stopped($"pidfile {path} names pid {pid}, which is not running; treating the service as stopped");
        }

        var info = proc.Stat(pid);
        if (info is null || info.IsZombie)
        {
            return Stopped($"pidfile {path} names pid {pid}, which is not running; treating the service as stopped");
        }

        var started = ProcessClock.StartedUtc(info);
        if (started > written + ClockSlack)
        {
            return Stopped(
                $"pidfile {path} names pid {pid}, but that process started {started:u}, after the pidfile was written ({written:u}): " +
                "the pid was reused by another process; treating the service as stopped");
        }

        // Another user's pidfile (one planted in a shared folder, say) may only name that user's own processes.
        if (owner is { } uid && proc.Uid(pid) is var processUid && processUid != uid)
        {
            return new PidfileOwner(ServiceState.Foreign, pid,
                $"pidfile {path} belongs to uid {uid}, another user, but names pid {pid} of uid {processUid}; pbdeploy will neither signal it nor start a second copy. " +
                "Remove the pidfile, or have the service write it as the user it runs as, then deploy again");
        }

        return new PidfileOwner(ServiceState.Running, pid, null);
    }

    /// <summary>
    /// The pidfile's text, when it was written, and its owner when that is another user (null for this user and root),
    /// all from one open file. A link another user owns is refused: it could point at any pidfile of root's.
    /// </summary>
    private static (string Text, DateTime Written, uint? Owner) ReadOwned(string path)
    {
        var euid = NativeFile.Euid;
        if (FileStat.Lstat(path) is { IsLink: true } link && link.Uid != euid && link.Uid != 0)
        {
            throw new IOException($"it is a symbolic link owned by uid {link.Owner}, another user");
        }

        var fd = NativeFile.Open(Libc.AT_FDCWD, path, Libc.O_RDONLY | Libc.O_NONBLOCK);
        if (fd < 0)
        {
            var error = Libc.LastError;
            throw error is Libc.ENOENT or Libc.ENOTDIR ? new FileNotFoundException(path)
                : error is Libc.EACCES or Libc.EPERM ? new UnauthorizedAccessException(NativeFile.Error(error))
                : new IOException(NativeFile.Error(error));
        }

        try
        {
            if (FileStat.Of(fd) is not { IsRegular: true } stat)
            {
                throw new IOException("it is not a regular file");
            }

            if (stat.Size > 4096)
            {
                throw new IOException($"it holds {stat.Size} bytes, far more than a pid"); // and only its end would be read
            }

            var text = Encoding.UTF8.GetString(NativeFile.ReadFrom(fd, 0, 4096).Bytes);
            return (text, stat.ModifiedUtc, stat.Uid == euid || stat.Uid == 0 ? null : stat.Uid);
        }
        finally
        {
            NativeFile.Close(fd);
        }
    }

    private static PidfileOwner Stopped(string warning) => new(ServiceState.Stopped, null, warning);

    /// <remarks>Signal 0 sends nothing (the kernel only checks that the pid exists), so it needs no guard.</remarks>
    private static bool IsAliveBySignal(int pid) => Libc.kill(pid, 0) == 0 || Libc.LastError == Libc.EPERM;
}
