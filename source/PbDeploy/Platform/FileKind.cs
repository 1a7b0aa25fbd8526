using System.Text;

namespace PbDeploy.Platform;

/// <summary>What a path is, from <c>statx</c> (following links): .NET tells a FIFO from a regular file only by trying to read it.</summary>
internal static unsafe class FileKind
{
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
        var buffer = stackalloc byte[Libc.StatxLayout.Size];
        fixed (byte* p = bytes)
        {
            if (Libc.statx(Libc.AT_FDCWD, p, 0, Libc.STATX_TYPE, buffer) != 0)
            {
                return Kind.Missing;
            }
        }

        return (*(ushort*)(buffer + Libc.StatxLayout.Mode) & Libc.S_IFMT) switch
        {
            Libc.S_IFREG => Kind.Regular,
            Libc.S_IFDIR => Kind.Directory,
            _ => Kind.Other,
        };
    }
}
