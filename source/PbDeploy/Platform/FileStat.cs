using System.Globalization;
using System.Text;

namespace PbDeploy.Platform;

/// <summary>What <c>statx</c> says of a file: .NET's <see cref="FileInfo"/> cannot tell the owner, nor stat an open descriptor.</summary>
internal readonly record struct FileStat(uint Mode, uint Uid, uint Gid, ulong Inode, uint DevMajor, uint DevMinor, ulong Size, uint Links, long ModifiedSeconds = 0, uint ModifiedNanoseconds = 0)
{
    private const uint BasicStats = 0x7ff;

    public uint Type => Mode & 0xF000;

    public bool IsRegular => Type == 0x8000;

    public bool IsDirectory => Type == 0x4000;

    public bool IsLink => Type == 0xA000;

    public bool IsSticky => (Mode & 0x200) != 0;

    /// <summary>Permission bits only (no setuid, setgid or sticky).</summary>
    public int Permissions => (int)(Mode & 0x1FF);

    /// <summary>The same file as <paramref name="other"/>: device and inode.</summary>
    public bool SameFile(FileStat other) => Inode == other.Inode && DevMajor == other.DevMajor && DevMinor == other.DevMinor;

    /// <summary>"a FIFO", "a device" ...: what a file that is not a regular one is, for messages.</summary>
    public string Kind => Type switch
    {
        0x8000 => "a regular file",
        0x4000 => "a folder",
        0xA000 => "a symbolic link",
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
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
        var buffer = stackalloc byte[256];
        fixed (byte* p = bytes)
        {
            if (Libc.statx(dirFd, p, flags, BasicStats, buffer) != 0)
            {
                return null;
            }
        }

        return new FileStat(
            Mode: *(ushort*)(buffer + 28),
            Uid: *(uint*)(buffer + 20),
            Gid: *(uint*)(buffer + 24),
            Inode: *(ulong*)(buffer + 32),
            DevMajor: *(uint*)(buffer + 136),
            DevMinor: *(uint*)(buffer + 140),
            Size: *(ulong*)(buffer + 40),
            Links: *(uint*)(buffer + 16),
            ModifiedSeconds: *(long*)(buffer + 112),
            ModifiedNanoseconds: *(uint*)(buffer + 120));
    }
}
