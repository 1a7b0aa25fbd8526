
namespace PbDeploy.Platform;

/// <summary>
/// A service's log, opened by pbdeploy itself for appending and handed to the child as its stdout and stderr: never
/// through a link, never a FIFO or device, never another user's file, created 0600.
/// </summary>
internal static class LogFile
{
    private const int SetStatusFlags = 4; // F_SETFL

    /// <summary>Opens (creating it and its folders, 0700) the log at <paramref name="logPath"/> for appending, and for reading back what a command wrote.</summary>
    /// <returns>A close-on-exec descriptor above 2, so that it can be duplicated onto a child's stdout and stderr.</returns>
    /// <exception cref="PbDeployException">The log cannot or must not be written; the message names it and says what to do.</exception>
    public static int OpenAppend(string logPath)
    {
        var path = Path.GetFullPath(logPath);
        var folder = Path.GetDirectoryName(path)!;
        if (FileStat.Lstat(path) is { IsRegular: false } early)
        {
            throw NotRegular(path, early);
        }

        if (WritePlace.Problem(path) is { } before)
        {
            // Checked before its folders are created too: never a folder created through another user's link.
            throw new InputException($"refusing to write the log {path}: {before}, or set 'log' to another file.");
        }

        try
        {
            _ = OperatingSystem.IsWindows()
                ? Directory.CreateDirectory(folder)
                : Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is UnauthorizedAccessException ? "permission denied" : e.Message;
            throw new EnvironmentException($"cannot create the folder {folder} for the log {path}: {why}; create the folder, writable for this user, or set 'log' to another file.", e);
        }

        // lstat first: opening a FIFO for writing would block until a reader comes (O_NONBLOCK below is the backstop).
        if (FileStat.Lstat(path) is { IsRegular: false } special)
        {
            throw NotRegular(path, special);
        }

        if (WritePlace.Problem(path) is { } problem)
        {
            throw new InputException($"refusing to write the log {path}: {problem}, or set 'log' to another file.");
        }

        var fd = NativeFile.Open(Libc.AT_FDCWD, path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_APPEND | Libc.O_NOFOLLOW | Libc.O_NONBLOCK, NativeFile.Private);
        if (fd < 0)
        {
            var error = Libc.LastError;
            throw FileStat.Lstat(path) is { IsRegular: false } now
                ? NotRegular(path, now)
                : new EnvironmentException($"cannot open the log {path}: {NativeFile.Error(error)}; make its folder writable for this user, or set 'log' to another file.");
        }

        // Another user's file would get our output; a second hard link could be any file of ours, /etc/shadow included.
        var stat = FileStat.Of(fd)!.Value;
        var refusal = !stat.IsRegular ? NotRegular(path, stat)
            : stat.Uid != NativeFile.Euid ? new InputException($"the log {path} belongs to uid {stat.Owner}, not to this user (uid {NativeFile.Euid}); remove it, or set 'log' to another file.")
            : stat.Links != 1 ? new InputException($"the log {path} has {stat.Links} hard links, so it may be another file too; remove it, or set 'log' to another file.")
            : null;
        if (refusal is not null)
        {
            NativeFile.Close(fd);
            throw refusal;
        }

        _ = Libc.fcntl(fd, SetStatusFlags, Libc.O_APPEND); // a regular file: blocking writes, as the child expects
        return AboveStandardStreams(fd);
    }

    /// <summary>
    /// A descriptor of 0, 1 or 2 (pbdeploy run with a standard stream closed) would be clobbered by the child's own
    /// redirections: move it above them.
    /// </summary>
    public static int AboveStandardStreams(int fd)
    {
        if (fd > 2)
        {
            return fd;
        }

        var moved = Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, 3);
        var error = Libc.LastError;
        NativeFile.Close(fd);
        return moved >= 0 ? moved : throw new EnvironmentException($"cannot move a file descriptor above 2: {NativeFile.Error(error)}; too many files are open.");
    }

    private static PbDeployException NotRegular(string path, FileStat stat) => stat.IsLink
        ? new InputException($"the log {path} is a symbolic link; pbdeploy never writes through a link: remove the link, or set 'log' to the real file.")
        : new InputException($"the log {path} is {stat.Kind}, not a regular file; remove it, or set 'log' to a regular file.");
}
