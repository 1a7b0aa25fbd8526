
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
        var path = Path.GetPathRoot(folder)!;
        foreach (var part in folder[path.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = Path.Combine(path, part);
            if (FileStat.Lstat(path) is { IsLink: true } link && link.Uid != euid && link.Uid != 0)
            {
                return $"{path} is a symbolic link owned by uid {link.Owner}, another user, who could point it anywhere; point the manifest at the real folder";
            }
        }

        if (FileStat.Stat(folder) is not { } stat)
        {
            return null; // missing: the writer says so, with what to do
        }

        var othersWrite = (stat.Permissions & 0x2) != 0 || ((stat.Permissions & 0x10) != 0 && stat.Gid != Libc.getegid());
        if (!othersWrite)
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
}
