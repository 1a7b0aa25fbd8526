using System.Runtime.InteropServices;

namespace PbDeploy.Platform;

/// <summary>The few libc calls the Linux process layer needs; source-generated marshalling, so NativeAOT-safe.</summary>
internal static unsafe partial class Libc
{
    public const int AF_NETLINK = 16;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_SOCK_DIAG = 4;

    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_NOFOLLOW = 0x20000;

    public const int EINTR = 4;
    public const int ESRCH = 3;
    public const int EPERM = 1;

    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_UID = 0x8;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint sendto(int fd, byte* buf, nuint len, int flags, byte* addr, int addrlen);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, byte* buf, nuint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open(byte* path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int openat(int dirfd, byte* path, int flags);

    [LibraryImport("libc")] // errno unread: an unreadable entry reads as empty
    public static partial nint getdents64(int fd, byte* buf, nuint count);

    [LibraryImport("libc")] // errno unread: an unreadable entry reads as empty
    public static partial nint readlinkat(int dirfd, byte* path, byte* buf, nuint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int statx(int dirfd, byte* path, int flags, uint mask, byte* buf);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial byte* realpath(byte* path, byte* resolved);

    [LibraryImport("libc")]
    public static partial long sysconf(int name);

    public const int SC_CLK_TCK = 2;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport("libc")]
    public static partial int getpid();

    [LibraryImport("libc")]
    public static partial int getpgrp();

    // posix_spawn: the attribute and file-action objects are opaque; glibc's are 336 and 80 bytes.
    [LibraryImport("libc")]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addopen(void* actions, int fd, byte* path, int flags, int mode);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* actions, int lowFd);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addchdir_np(void* actions, byte* path);

    [LibraryImport("libc")]
    public static partial int sigfillset(void* set);

    [LibraryImport("libc")]
    public static partial int sigemptyset(void* set);

    public const int WNOHANG = 1;
    public const int ECHILD = 10;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int EWOULDBLOCK = 11;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_APPEND = 0x400;
    public const int O_TRUNC = 0x200;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    // FILES (issue 9, item 2): private files, created with their final mode, never through a link, never blocking on a FIFO.
    public const int O_EXCL = 0x80;
    public const int O_NONBLOCK = 0x800;
    public const int AT_EMPTY_PATH = 0x1000;
    public const int AT_FDCWD = -100;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ELOOP = 40;
    public const int ENXIO = 6;
    public const int F_DUPFD_CLOEXEC = 1030;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int openat(int dirfd, byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int mkdirat(int dirfd, byte* path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unlinkat(int dirfd, byte* path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int renameat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchmod(int fd, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint pread(int fd, byte* buf, nuint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc")]
    public static partial uint getegid();

    public static int LastError => Marshal.GetLastPInvokeError();
}
