using System.Globalization;
using System.Security.Cryptography;

namespace PbDeploy.Platform;

/// <summary>
/// A folder only this user can write, held open: the project's <c>.pbdeploy</c>, or this user's runtime folder where
/// there is no project. Files are created in it relative to the open folder (<c>openat</c>), so the folder checked is
/// the folder written, even if another user renames things in the folder above.
/// </summary>
internal sealed class PrivateFolder : IDisposable
{
    private int _fd;

    private PrivateFolder(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    public int Fd => _fd;

    /// <summary>
    /// The project's <c>.pbdeploy</c> folder, created 0700 if missing; this user's runtime folder when the project's
    /// folder is one this user cannot write (or is read-only), so that commands still run there as they always did.
    /// </summary>
    public static PrivateFolder ForProject(string projectDir)
    {
        var path = System.IO.Path.Combine(projectDir, ".pbdeploy");
        var created = NativeFile.MakeFolder(Libc.AT_FDCWD, path);
        return created is Libc.EPERM or Libc.EACCES or Libc.EROFS && FileStat.Lstat(path) is null ? ForUser() : Open(path, created);
    }

    /// <summary>This user's runtime folder (see <see cref="UserPath"/>), created 0700 if missing.</summary>
    public static PrivateFolder ForUser()
    {
        var path = UserPath();
        try
        {
            return Open(path, NativeFile.MakeFolder(Libc.AT_FDCWD, path));
        }
        catch (PbDeployException e) when (path.StartsWith(System.IO.Path.GetTempPath(), StringComparison.Ordinal))
        {
            // Another user may have taken the name first: say how to do without it.
            throw new EnvironmentException($"{e.Message.TrimEnd('.')}; or set XDG_RUNTIME_DIR to a folder of this user's with mode 0700.", e);
        }
    }

    /// <summary>
    /// Where this user's private files go when there is no project: <c>$XDG_RUNTIME_DIR/pbdeploy</c> when that folder is
    /// ours and 0700; for root <c>/run/pbdeploy</c> (only root can create it, so no other user can take the name
    /// first); else <c>pbdeploy-UID</c> in the temporary folder, checked to be ours once created.
    /// </summary>
    public static string UserPath()
    {
        var euid = NativeFile.Euid;
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 1 } runtime && System.IO.Path.IsPathRooted(runtime)
            && FileStat.Lstat(runtime) is { IsDirectory: true } stat && stat.Uid == euid && stat.Permissions == NativeFile.PrivateFolder)
        {
            return System.IO.Path.Combine(runtime, "pbdeploy");
        }

        if (euid == 0 && FileStat.Lstat("/run") is { IsDirectory: true, Uid: 0 } run && (run.Permissions & 0x12) == 0)
        {
            return "/run/pbdeploy";
        }

        return System.IO.Path.Combine(System.IO.Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"pbdeploy-{euid}"));
    }

    /// <summary>Creates a new file (0600, <c>O_EXCL|O_NOFOLLOW|O_CLOEXEC</c>) named <paramref name="prefix"/>RANDOM<paramref name="suffix"/>, open for reading and writing.</summary>
    public (int Fd, string Name) CreateFile(string prefix, string suffix)
    {
        while (true)
        {
            var name = $"{prefix}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}{suffix}";
            var fd = NativeFile.Open(_fd, name, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW, NativeFile.Private);
            if (fd >= 0)
            {
                return (LogFile.AboveStandardStreams(fd), name);
            }

            if (Libc.LastError != Libc.EEXIST)
            {
                throw new EnvironmentException(
                    $"cannot create a file in {Path}: {NativeFile.Error(Libc.LastError)}; make the folder writable for this user (uid {NativeFile.Euid}).");
            }
        }
    }

    /// <summary>Removes a file of this folder; best effort (the file is private, and the original error matters more).</summary>
    public void Delete(string name) => _ = NativeFile.Unlink(_fd, name);

    public void Dispose() => NativeFile.Close(Interlocked.Exchange(ref _fd, -1));

    /// <summary>Opens the folder at <paramref name="path"/> that <c>mkdir</c> just created, or found (<paramref name="created"/> is its errno), and checks it.</summary>
    private static PrivateFolder Open(string path, int created)
    {
        if (created != 0 && created != Libc.EEXIST)
        {
            throw new EnvironmentException(
                $"cannot create the private folder {path}: {NativeFile.Error(created)}; make {System.IO.Path.GetDirectoryName(path)} writable for this user (uid {NativeFile.Euid}).");
        }

        var fd = NativeFile.Open(Libc.AT_FDCWD, path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW);
        if (fd < 0)
        {
            var what = FileStat.Lstat(path) is { } other ? other.Kind : NativeFile.Error(Libc.LastError);
            throw new EnvironmentException(
                $"{path} is {what}, not a folder of this user's; pbdeploy keeps its private files there: remove it, and run again.");
        }

        var stat = FileStat.Of(fd)!.Value;
        var problem = stat.Uid != NativeFile.Euid
            ? $"belongs to uid {stat.Owner}, not to this user (uid {NativeFile.Euid}); remove it, and run again"
            : (stat.Permissions & 0x12) != 0
                ? $"is writable by other users (mode {stat.Octal}); make it private with chmod 700 {path}"
                : null;
        if (problem is not null)
        {
            NativeFile.Close(fd);
            throw new EnvironmentException($"pbdeploy's private folder {path} {problem}.");
        }

        return new PrivateFolder(fd, path);
    }
}
