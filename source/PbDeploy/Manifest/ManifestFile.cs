using System.Globalization;
using System.Text;
using PbDeploy.Platform;

namespace PbDeploy.Manifest;

/// <summary>
/// Reads a manifest's bytes safely: only a regular file (a FIFO, a device or a socket is refused at once, never
/// opened in a way that blocks or read without end), at most <see cref="MaxBytes"/>, and only one that the caller may
/// trust (<see cref="ManifestTrust"/>). Owner and mode are those of the file actually read (fstat of the open file),
/// so the file cannot be swapped between the check and the read.
/// </summary>
internal static unsafe class ManifestFile
{
    /// <summary>The largest manifest read: real ones are a few KiB; this only bounds memory.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;


    public static byte[] Read(string fullPath, ManifestTrust trust)
    {
        // The type first, from the path: a FIFO or a device is refused before it is opened at all.
        var path = Encoding.UTF8.GetBytes(fullPath + "\0");
        Stat stat;
        fixed (byte* p = path)
        {
            if (!TryStat(Libc.AT_FDCWD, p, 0, out stat, out var errno))
            {
                throw OpenFailed(fullPath, errno);
            }
        }

        CheckKind(fullPath, stat.Mode);
        int fd;
        fixed (byte* p = path)
        {
            // O_NONBLOCK: should the path become a FIFO after the check above, opening it still returns at once.
            fd = Libc.open(p, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NONBLOCK | Libc.O_NOCTTY);
        }

        if (fd < 0)
        {
            throw OpenFailed(fullPath, Libc.LastError);
        }

        try
        {
            var empty = (byte)0;
            if (!TryStat(fd, &empty, Libc.AT_EMPTY_PATH, out stat, out var errno))
            {
                throw new EnvironmentException($"cannot read manifest {fullPath}: {Errno(errno)}");
            }

            CheckKind(fullPath, stat.Mode);
            if (!trust.AllowedManifests.Contains(fullPath))
            {
                CheckTrust(fullPath, stat, trust);
            }

            if (stat.Size > MaxBytes)
            {
                throw TooLarge(fullPath);
            }

            return ReadAll(fd, fullPath);
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    private static void CheckKind(string fullPath, ushort mode)
    {
        var kind = (mode & Libc.S_IFMT) switch
        {
            Libc.S_IFREG => null,
            Libc.S_IFDIR => "folder",
            Libc.S_IFIFO => "FIFO (named pipe)",
            Libc.S_IFSOCK => "socket",
            Libc.S_IFCHR => "character device",
            Libc.S_IFBLK => "block device",
            _ => "special file",
        };
        if (kind == "folder")
        {
            throw new InputException($"manifest {fullPath} is a folder; pass the path of the {ManifestLoader.FileName} file");
        }

        if (kind is not null)
        {
            throw new InputException($"manifest {fullPath} is a {kind}, not a regular file; pass the path of the {ManifestLoader.FileName} file");
        }
    }

    private static void CheckTrust(string fullPath, Stat file, ManifestTrust trust)
    {
        var caller = Libc.geteuid();
        var allow = $"{ManifestTrust.AllowedManifestsVariable}={fullPath}";
        if (!trust.Trusts(file.Uid, caller))
        {
            throw new InputException(
                $"manifest {fullPath} belongs to {User(file.Uid)}, not to you{Caller(caller)}, so it could make you run anything; " +
                $"if you trust that user, set {ManifestTrust.TrustedOwnersVariable}={file.Uid} or {allow}");
        }

        if ((file.Mode & 0x2) != 0)
        {
            throw new InputException(
                $"manifest {fullPath} is writable by every user (mode {Octal(file.Mode)}), so anyone could have written it; " +
                $"run chmod o-w {fullPath}, or set {allow} if you trust its content");
        }

        // A link (or a second hard link) another user put in a shared folder makes a manifest of root's run with its
        // project_dir there: its commands would run, and read what that user put, in that folder.
        if (Platform.FileStat.Lstat(fullPath) is { IsLink: true } link && !trust.Trusts(link.Uid, caller))
        {
            throw new InputException(
                $"manifest {fullPath} is a symbolic link of {User(link.Uid)}, not yours{Caller(caller)}, so that user chose which manifest runs, and in which folder; " +
                $"pass the real manifest with --manifest, or if you trust that user, set {ManifestTrust.TrustedOwnersVariable}={link.Uid} or {allow}");
        }

        var folder = Path.GetDirectoryName(fullPath)!;
        var bytes = Encoding.UTF8.GetBytes(folder + "\0");
        Stat dir;
        fixed (byte* p = bytes)
        {
            if (!TryStat(Libc.AT_FDCWD, p, 0, out dir, out var errno))
            {
                throw new EnvironmentException($"cannot check the folder {folder} of manifest {fullPath}: {Errno(errno)}");
            }
        }

        if (!trust.Trusts(dir.Uid, caller))
        {
            throw new InputException(
                $"manifest {fullPath} is in the folder {folder}, which belongs to {User(dir.Uid)}, not to you{Caller(caller)}, so that user could replace it; " +
                $"if you trust that user, set {ManifestTrust.TrustedOwnersVariable}={dir.Uid} or {allow}");
        }

        // A folder above it that others can write lets them swap the project's folder for a link once the manifest is
        // read: commands would run, and files be written, in a folder of theirs.
        if (Platform.WritePlace.AncestorProblem(folder, uid => trust.Trusts(uid, caller)) is { } above)
        {
            throw new InputException($"manifest {fullPath} is in the folder {folder}, and {above}; or set {allow} if you trust that folder");
        }

        if ((dir.Mode & 0x2) != 0 && Platform.FileStat.Lstat(fullPath) is { Links: > 1 } linked)
        {
            throw new InputException(
                $"manifest {fullPath} has {linked.Links} hard links and is in the folder {folder} that every user can write, so another user may have linked it there from elsewhere; " +
                $"pass the real manifest with --manifest, or set {allow} if you trust it");
        }

        // A folder others can write, without the sticky bit, lets them rename the manifest away and put their own.
        if ((dir.Mode & 0x2) != 0 && (dir.Mode & 0x200) == 0)
        {
            throw new InputException(
                $"manifest {fullPath} is in the folder {folder}, which every user can write and is not sticky (mode {Octal(dir.Mode)}), so anyone could have replaced it; " +
                $"run chmod o-w {folder} (or chmod +t), or set {allow} if you trust its content");
        }
    }

    private static byte[] ReadAll(int fd, string fullPath)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > MaxBytes)
                {
                    throw TooLarge(fullPath);
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxBytes + 1));
            }

            nint n;
            fixed (byte* b = &buffer[length])
            {
                n = Libc.read(fd, b, (nuint)(buffer.Length - length));
            }

            if (n < 0)
            {
                var errno = Libc.LastError;
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                throw new EnvironmentException($"cannot read manifest {fullPath}: {Errno(errno)}");
            }

            if (n == 0)
            {
                return buffer[..length];
            }

            length += (int)n;
            if (length > MaxBytes)
            {
                throw TooLarge(fullPath);
            }
        }
    }

    private static InputException TooLarge(string fullPath) => new(
        string.Create(CultureInfo.InvariantCulture, $"manifest {fullPath} is larger than {MaxBytes / (1024 * 1024)} MiB; a manifest is a few KiB: pass the right file"));

    private static PbDeployException OpenFailed(string fullPath, int errno) => errno switch
    {
        Libc.ENOENT or Libc.ENOTDIR => new InputException($"manifest {fullPath} does not exist; create it or pass another --manifest PATH"),
        Libc.EACCES => new EnvironmentException($"cannot read manifest {fullPath}: permission denied"),
        Libc.ENXIO => new InputException($"manifest {fullPath} is a socket, not a regular file; pass the path of the {ManifestLoader.FileName} file"),
        Libc.ELOOP => new InputException($"cannot read manifest {fullPath}: too many levels of symbolic links"),
        _ => new EnvironmentException($"cannot read manifest {fullPath}: {Errno(errno)}"),
    };

    private static string Caller(uint caller) => caller == 0 ? " (root)" : $" ({User(caller)}) nor to root";

    private static string Errno(int errno) => new System.ComponentModel.Win32Exception(errno).Message;

    private static string Octal(ushort mode) => "0" + Convert.ToString(mode & 0xFFF, 8);

    /// <summary><c>uid 1000 (alice)</c>, or <c>uid 1000</c> when <c>/etc/passwd</c> does not name it.</summary>
    private static string User(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && fields[2] == uid.ToString(CultureInfo.InvariantCulture))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"uid {uid} ({fields[0]})");
                }
            }

        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No names then: the uid says it all.
        }

        return string.Create(CultureInfo.InvariantCulture, $"uid {uid}");
    }

    private static bool TryStat(int dirfd, byte* path, int flags, out Stat stat, out int errno)
    {
        var buffer = stackalloc byte[Libc.StatxLayout.Size];
        if (Libc.statx(dirfd, path, flags, Libc.STATX_TYPE | Libc.STATX_MODE | Libc.STATX_UID | Libc.STATX_SIZE, buffer) != 0)
        {
            errno = Libc.LastError;
            stat = default;
            return false;
        }

        errno = 0;
        stat = new Stat(*(uint*)(buffer + Libc.StatxLayout.Uid), *(ushort*)(buffer + Libc.StatxLayout.Mode), *(long*)(buffer + Libc.StatxLayout.FileSize));
        return true;
    }

    private readonly record struct Stat(uint Uid, ushort Mode, long Size);
}
