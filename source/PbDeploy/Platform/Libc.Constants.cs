namespace PbDeploy.Platform;

/// <summary>
/// Every libc constant and struct offset pbdeploy uses, named as in C. All are the same on x64 and arm64 except the
/// two in <see cref="LinuxAbi"/>, chosen at run time. <c>LinuxAbiTests</c> compiles each one as a
/// <c>_Static_assert</c> against the C headers of both architectures, so a wrong value fails the build's tests by name;
/// a constant added here without its C expression in that test fails it too.
/// </summary>
internal static partial class Libc
{
    // <fcntl.h>: open flags.
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>0x10000 on x64, 0x4000 on arm64 (where 0x10000 is <c>O_DIRECT</c>).</summary>
    public static int O_DIRECTORY => LinuxAbi.Current.O_DIRECTORY;

    /// <summary>0x20000 on x64, 0x8000 on arm64 (where 0x20000 is <c>O_LARGEFILE</c>).</summary>
    public static int O_NOFOLLOW => LinuxAbi.Current.O_NOFOLLOW;

    // <fcntl.h>: *at calls and fcntl.
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const int F_GETFD = 1;
    public const int FD_CLOEXEC = 1;
    public const int F_DUPFD_CLOEXEC = 1030;

    // <errno.h>
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int ECHILD = 10;
    public const int EWOULDBLOCK = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EROFS = 30;
    public const int EPIPE = 32;
    public const int ELOOP = 40;

    // <signal.h>, <sys/wait.h>, <sys/file.h>, <unistd.h>, <limits.h>
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int WNOHANG = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int SC_CLK_TCK = 2;
    public const int PATH_MAX = 4096;

    // <sys/stat.h>: statx masks and file type bits.
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_MODE = 0x2;
    public const uint STATX_UID = 0x8;
    public const uint STATX_SIZE = 0x200;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const uint S_IFMT = 0xF000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFLNK = 0xA000;
    public const uint S_IFIFO = 0x1000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFSOCK = 0xC000;
    public const uint S_ISVTX = 0x200;

    // <spawn.h>: flags, and room for the opaque objects (glibc's attr is 336 bytes, file actions 80, sigset_t 128).
    public const short POSIX_SPAWN_SETPGROUP = 0x02;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;
    public const int SpawnAttrBytes = 1024;
    public const int SpawnFileActionsBytes = 1024;
    public const int SigsetBytes = 256;

    // <sys/socket.h>, <netinet/in.h>, <linux/netlink.h>, <linux/sock_diag.h>, <linux/inet_diag.h>, <netinet/tcp.h>
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int AF_NETLINK = 16;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int IPPROTO_TCP = 6;
    public const int NETLINK_SOCK_DIAG = 4;
    public const ushort SOCK_DIAG_BY_FAMILY = 20;
    public const ushort NLM_F_REQUEST_DUMP = 0x301;
    public const int NLMSG_ERROR = 2;
    public const int NLMSG_DONE = 3;
    public const int TCP_LISTEN = 10;
    public const ushort INET_DIAG_REQ_BYTECODE = 1;
    public const byte INET_DIAG_BC_JMP = 1;
    public const byte INET_DIAG_BC_S_EQ = 11;

    /// <summary>Offsets in <c>struct statx</c> (linux/stat.h), the kernel's fixed layout.</summary>
    public static class StatxLayout
    {
        public const int Size = 256;
        public const int Nlink = 16;
        public const int Uid = 20;
        public const int Gid = 24;
        public const int Mode = 28;
        public const int Ino = 32;
        public const int FileSize = 40;
        public const int MtimeSeconds = 112;
        public const int MtimeNanoseconds = 120;
        public const int DevMajor = 136;
        public const int DevMinor = 140;
    }

    /// <summary>Offsets in <c>struct dirent64</c>, as <c>getdents64</c> fills it.</summary>
    public static class Dirent64Layout
    {
        public const int RecordLength = 16;
        public const int Name = 19;
    }

    /// <summary>Sizes and offsets of the netlink sock_diag messages (all little-endian fields but the ports).</summary>
    public static class InetDiagLayout
    {
        public const int SockaddrNlSize = 12;
        public const int NlmsghdrSize = 16;
        public const int RequestSize = 56;
        public const int RequestStates = 4;
        public const int RequestSourcePort = 8;
        public const int MessageSize = 72;
        public const int MessageState = 1;
        public const int MessageSourcePort = 4;
        public const int MessageUid = 64;
        public const int MessageInode = 68;
        public const int BytecodeOpSize = 4;
    }
}
