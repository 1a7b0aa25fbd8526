using System.Globalization;
using System.Text;

namespace PbDeploy.Platform;

/// <summary>What <c>statx</c> says of a file: .NET's <see cref="FileInfo"/> cannot tell the owner, nor stat an open descriptor.</summary>
internal readonly record struct FileStat(uint Mode, uint Uid, uint Gid, ulong Inode, uint DevMajor, uint DevMinor, ulong Size, uint Links, long ModifiedSeconds = 0, uint ModifiedNanoseconds = 0)
{
    public uint Type => Mode & Libc.S_IFMT;

    public bool IsRegular => Type == Libc.S_IFREG;

    public bool IsDirectory => Type == Libc.S_IFDIR;

    public bool IsLink => Type == Libc.S_IFLNK;

    public bool IsSticky => (Mode & Libc.S_ISVTX) != 0;

    /// <summary>Permission bits only (no setuid, setgid or sticky).</summary>
    public int Permissions => (int)(Mode & 0x1FF);

    /// <summary>The same file as <paramref name="other"/>: device and inode.</summary>
    public bool SameFile(FileStat other) => Inode == other.Inode && DevMajor == other.DevMajor && DevMinor == other.DevMinor;

    /// <summary>"a FIFO", "a device" ...: what a file that is not a regular one is, for messages.</summary>
    public string Kind => Type switch
    {
        Libc.S_IFREG => "a regular file",
        Libc.S_IFDIR => "a folder",
        Libc.S_IFLNK => "a symbolic link",
        Libc.S_IFIFO => "a FIFO",
        Libc.S_IFCHR => "a character device",
        Libc.S_IFBLK => "a block device",
        Libc.S_IFSOCK => "a socket",
        _ => "a special file",
    };

    public string Octal => Convert.ToString(Permissions | (int)(Mode & 0xE00), 8).PadLeft(4, '0');

    public string Owner => Uid.ToString(CultureInfo.InvariantCulture);

    /// <summary>When the content was last modified.</summary>
    public DateTime ModifiedUtc => DateTime.UnixEpoch.AddSeconds(ModifiedSeconds).AddTicks(ModifiedNanoseconds / 100);

    /// <summary>The file itself, not what a link points to; null (errno in <see cref="Libc.LastError"/>) when it cannot be read.</summary>
    public static FileStat? Lstat(string path) => Of(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW);

    /// <summary>The file a path names, following links; null (errno in <see cref="Libc.LastError"/>) when it cannot be read.</summary>
    public static FileStat? Stat(string path) => Of(Libc.AT_FDCWD, path, 0);

    /// <summary>The file an open descriptor refers to.</summary>
    public static FileStat? Of(int fd) => Of(fd, "", Libc.AT_EMPTY_PATH);

    /// <summary>A name in the folder open as <paramref name="folderFd"/>, not following a link.</summary>
    public static FileStat? At(int folderFd, string name) => Of(folderFd, name, Libc.AT_SYMLINK_NOFOLLOW);

    private static unsafe FileStat? Of(int dirFd, string path, int flags)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        var buffer = stackalloc byte[Libc.StatxLayout.Size];
        fixed (byte* p = bytes)
        {
            if (Libc.statx(dirFd, p, flags, Libc.STATX_BASIC_STATS, buffer) != 0)
            {
                return null;
            }
        }

        return new FileStat(
            Mode: *(ushort*)(buffer + Libc.StatxLayout.Mode),
            Uid: *(uint*)(buffer + Libc.StatxLayout.Uid),
            Gid: *(uint*)(buffer + Libc.StatxLayout.Gid),
            Inode: *(ulong*)(buffer + Libc.StatxLayout.Ino),
            DevMajor: *(uint*)(buffer + Libc.StatxLayout.DevMajor),
            DevMinor: *(uint*)(buffer + Libc.StatxLayout.DevMinor),
            Size: *(ulong*)(buffer + Libc.StatxLayout.FileSize),
            Links: *(uint*)(buffer + Libc.StatxLayout.Nlink),
            ModifiedSeconds: *(long*)(buffer + Libc.StatxLayout.MtimeSeconds),
            ModifiedNanoseconds: *(uint*)(buffer + Libc.StatxLayout.MtimeNanoseconds));
    }
}
