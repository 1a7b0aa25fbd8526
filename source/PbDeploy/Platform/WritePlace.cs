using System.Text;

namespace PbDeploy.Platform;

/// <summary>
/// Whether a file may be created or replaced where it is: not in a folder another user could plant a link or a file
/// in, nor through a link that another user owns. The write itself never follows a link either; this check makes the
/// refusal loud and early.
/// </summary>
internal static class WritePlace
{
    /// <summary>Why <paramref name="file"/> (a full path) must not be written, as a clause for a message; null when it may.</summary>
    public static string? Problem(string file)
    {
        var folder = Path.GetDirectoryName(file)!;
        var euid = NativeFile.Euid;
        var trusted = Trusted();
        if ((LinkProblem(folder) ?? AncestorProblem(folder, trusted)) is { } above)
        {
            return above;
        }

        if (FileStat.Stat(folder) is not { } stat)
        {
            return null; // missing: the writer says so, with what to do
        }

        if (!trusted(stat.Uid))
        {
            // Its owner can rename or replace anything in it, whatever the mode: the file written for this user too.
            return $"its folder {folder} belongs to uid {stat.Owner}, another user, who could replace the file; choose a folder of yours, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS={stat.Owner}";
        }

        if (!OthersWrite(stat))
        {
            return null;
        }

        if (!stat.IsSticky)
        {
            return $"its folder {folder} is writable by other users (mode {stat.Octal}) and not sticky, so another user could put a link there; " +
                "make the folder writable only by its owner, or choose another place";
        }

        return FileStat.Lstat(file) is { } existing && existing.Uid != euid
            ? $"it belongs to uid {existing.Owner}, another user, in the folder {folder} that others can write; remove it, or choose another place"
            : null;
    }

    /// <summary>
    /// Why commands must not run in <paramref name="folder"/> (a full path, existing), as a clause; null when they may:
    /// another user could swap it, or put files in it (it is theirs, or others can write it and it is not sticky).
    /// </summary>
    public static string? FolderProblem(string folder)
    {
        var trusted = Trusted();
        if ((LinkProblem(folder) ?? AncestorProblem(folder, trusted)) is { } problem)
        {
            return problem;
        }

        return FileStat.Stat(folder) switch
        {
            { } stat when !trusted(stat.Uid) => $"it belongs to uid {stat.Owner}, another user, who could put anything there; choose a folder of yours, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS={stat.Owner}",
            { IsSticky: false } stat when OthersWrite(stat) =>
                $"it is writable by other users (mode {stat.Octal}) and not sticky, so another user could put anything there; make it writable only by its owner",
            _ => null,
        };
    }

    /// <summary>A folder on the path (as written) that is a link another user owns, as a clause; null when there is none.</summary>
    private static string? LinkProblem(string folder)
    {
        var euid = NativeFile.Euid;
        var path = Path.GetPathRoot(folder)!;
        foreach (var part in folder[path.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = Path.Combine(path, part);
            if (FileStat.Lstat(path) is { IsLink: true } link && link.Uid != euid && link.Uid != 0)
            {
                return $"{path} is a symbolic link owned by uid {link.Owner}, another user, who could point it anywhere; point the manifest at the real folder";
            }
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="folder"/> could be swapped by another user (as a clause), null when it cannot: a folder above
    /// it, on its path as written or as resolved, that others can write (or that an untrusted user owns) lets them rename
    /// the next folder away and put a link in its place between any check and the write; a sticky one allows that only
    /// to the next folder's owner.
    /// </summary>
    /// <param name="folder">A full path.</param>
    /// <param name="trusted">Whether the owner of a folder on the path is trusted not to swap what is in it.</param>
    public static string? AncestorProblem(string folder, Func<uint, bool> trusted)
    {
        return Walk(folder) ?? (Resolved(folder) is { } real && real != folder ? Walk(real) : null);

        string? Walk(string path)
        {
            var above = Path.GetPathRoot(path)!;
            foreach (var part in path[above.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var next = Path.Combine(above, part);
                if (FileStat.Lstat(above) is { IsDirectory: true } owned && !trusted(owned.Uid))
                {
                    return $"the folder {above} above it belongs to uid {owned.Owner}, another user, who could replace {next} with a link; choose another place, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS={owned.Owner}";
                }

                if (FileStat.Lstat(above) is { IsDirectory: true } parent && OthersWrite(parent))
                {
                    if (!parent.IsSticky)
                    {
                        return $"the folder {above} above it is writable by other users (mode {parent.Octal}) and not sticky, so another user could replace {next} with a link; " +
                            $"run chmod o-w,g-w {above} (or chmod +t), or choose another place";
                    }

                    if (FileStat.Lstat(next) is { } child && !trusted(child.Uid))
                    {
                        return $"{next} belongs to uid {child.Owner}, another user, in the folder {above} that others can write, so that user could replace it with a link; choose another place, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS={child.Owner}";
                    }
                }

                above = next;
            }

            return null;
        }
    }

    /// <summary>The caller, root, and the owners the caller trusts with its manifests (<see cref="Manifest.ManifestTrust"/>).</summary>
    private static Func<uint, bool> Trusted()
    {
        var euid = NativeFile.Euid;
        Manifest.ManifestTrust trust;
        try
        {
            trust = Manifest.ManifestTrust.FromEnvironment();
        }
        catch (PbDeployException)
        {
            trust = Manifest.ManifestTrust.Strict; // a bad value was reported when the manifest was loaded
        }

        return uid => trust.Trusts(uid, euid);
    }

    /// <summary>Whether users other than the owner (and this process's group) can write a file or folder.</summary>
    internal static bool OthersWrite(FileStat stat) => (stat.Permissions & 0x2) != 0 || ((stat.Permissions & 0x10) != 0 && stat.Gid != Libc.getegid());

    /// <summary>The path with every link resolved (<c>realpath</c>); null when some part is missing or unreadable.</summary>
    private static unsafe string? Resolved(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        var buffer = stackalloc byte[Libc.PATH_MAX + 1];
        fixed (byte* p = bytes)
        {
            return Libc.realpath(p, buffer) is null ? null : Encoding.UTF8.GetString(buffer, new ReadOnlySpan<byte>(buffer, Libc.PATH_MAX + 1).IndexOf((byte)0));
        }
    }
}
