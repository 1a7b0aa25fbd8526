using System.Text;

namespace PbDeploy.Platform;

/// <summary>What a path is, from <c>statx</c> (following links): .NET tells a FIFO from a regular file only by trying to read it.</summary>
internal static unsafe class FileKind
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;

    public enum Kind
    {
        Missing,
        Regular,
        Directory,
        Other,
    }

    public static Kind Of(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        var buffer = stackalloc byte[256];
        fixed (byte* p = bytes)
        {
            if (Libc.statx(AtCurrentDirectory, p, 0, StatxType, buffer) != 0)
            {
                return Kind.Missing;
            }
        }

        return (*(ushort*)(buffer + 28) & 0xF000) switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            _ => Kind.Other,
        };
    }
}
