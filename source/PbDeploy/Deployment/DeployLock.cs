using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PbDeploy.Platform;
using PbDeploy.Processes;
using PbDeploy.Processes.Linux;

namespace PbDeploy.Deployment;

/// <summary>
/// One deploy per project at a time: an exclusive <c>flock</c> on a file named after the manifest's path, in this
/// user's private runtime folder (<c>$XDG_RUNTIME_DIR/pbdeploy</c>, <c>/run/pbdeploy</c> for root, else
/// <c>pbdeploy-UID</c> in the temporary folder, 0700), where no other user can create, hold or replace it. The kernel
/// drops the lock when its holder exits, however it exits, so a crashed deploy never leaves a stale lock; the file
/// holds the holder's pid, start time, user and command line only to say who it is, and is removed on release.
/// </summary>
/// <remarks>
/// A build engine that runs several deploys, stops and phases of one project in one run holds the lock for the run
/// (<see cref="HoldAsync"/>): while a hold of this process exists, a session of the same project joins it (an
/// <see cref="AcquireAsync(string, TimeSpan, Action{string, string}?, CancellationToken)"/> that takes nothing and
/// releases nothing) instead of waiting for a lock its own process holds. Without a hold, two sessions of one process
/// wait for each other as two processes do.
/// </remarks>
internal sealed class DeployLock : IDisposable
{
    // The holds of this process, by lock file name: the lock they hold, and how many holds share it.
    private static readonly Dictionary<string, Hold> Holds = new(StringComparer.Ordinal);

    private readonly PrivateFolder? _folder;
    private readonly string _name;
    private int _fd;

    private DeployLock(PrivateFolder folder, string name, int fd)
    {
        _folder = folder;
        _name = name;
        _fd = fd;
        Path = System.IO.Path.Combine(folder.Path, name);
    }

    /// <summary>A session's share of a hold: takes nothing, releases nothing.</summary>
    private DeployLock(string path, string name)
    {
        _name = name;
        _fd = -1;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file of the project whose manifest is <paramref name="manifestPath"/>, for this user.</summary>
    public static string PathFor(string manifestPath) => System.IO.Path.Combine(PrivateFolder.UserPath(), NameFor(manifestPath));

    /// <summary>Takes the project's lock, waiting up to <paramref name="timeout"/> while another deploy holds it.</summary>
    /// <param name="manifestPath">The manifest: one lock per manifest.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="waiting">Told once, with the holder, when the lock is taken and this call has to wait.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="DeployLockedException">The lock is still held after <paramref name="timeout"/>; the message says by whom.</exception>
    public static async Task<DeployLock> AcquireAsync(string manifestPath, TimeSpan timeout, Action<string, string>? waiting, CancellationToken cancellationToken)
    {
        lock (Holds)
        {
            if (Holds.TryGetValue(NameFor(manifestPath), out var hold))
            {
                return new DeployLock(hold.Lock.Path, hold.Lock._name);
            }
        }

        return await TakeAsync(manifestPath, timeout, waiting, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Holds the project's lock until the result is disposed (taking it, waiting as <see cref="AcquireAsync(string, TimeSpan, Action{string, string}?, CancellationToken)"/> does,
    /// unless a hold of this process has it already): meanwhile the sessions of this process join the hold.
    /// </summary>
    /// <inheritdoc cref="AcquireAsync(string, TimeSpan, Action{string, string}?, CancellationToken)"/>
    public static async Task<IDisposable> HoldAsync(string manifestPath, TimeSpan timeout, Action<string, string>? waiting, CancellationToken cancellationToken)
    {
        var name = NameFor(manifestPath);
        lock (Holds)
        {
            if (Holds.TryGetValue(name, out var existing))
            {
                existing.Count++;
                return new HoldRelease(existing, name);
            }
        }

        var taken = await TakeAsync(manifestPath, timeout, waiting, cancellationToken).ConfigureAwait(false);
        lock (Holds)
        {
            // Two holds of one project taken at once: the second waited for the first, which then ended.
            var hold = new Hold(taken) { Count = 1 };
            Holds[name] = hold;
            return new HoldRelease(hold, name);
        }
    }

    /// <summary>Whether this process holds the lock of <paramref name="manifestPath"/> through a hold.</summary>
    public static bool IsHeld(string manifestPath)
    {
        lock (Holds)
        {
            return Holds.ContainsKey(NameFor(manifestPath));
        }
    }

    private static async Task<DeployLock> TakeAsync(string manifestPath, TimeSpan timeout, Action<string, string>? waiting, CancellationToken cancellationToken)
    {
        PrivateFolder folder;
        try
        {
            folder = PrivateFolder.ForUser();
        }
        catch (PbDeployException e)
        {
            throw new DeployLockedException($"cannot take the deploy lock of {manifestPath}: {e.Message}");
        }

        try
        {
            var deployLock = await AcquireAsync(folder, NameFor(manifestPath), manifestPath, timeout, waiting, cancellationToken).ConfigureAwait(false);
            return deployLock;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock and removes its file.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0 && _folder is not null)
        {
            // Removed while still held: a waiter that opened this file sees, once it gets the lock, that the path no
            // longer names its file, and starts over on a new one.
            _folder.Delete(_name);
            NativeFile.Close(fd);
            _folder.Dispose();
        }
    }

    private sealed class Hold(DeployLock taken)
    {
        public DeployLock Lock { get; } = taken;

        public int Count { get; set; }
    }

    /// <summary>Ends one hold; the last one of a project releases its lock.</summary>
    private sealed class HoldRelease(Hold hold, string name) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            lock (Holds)
            {
                if (--hold.Count > 0)
                {
                    return;
                }

                _ = Holds.Remove(name);
            }

            hold.Lock.Dispose();
        }
    }

    private static string NameFor(string manifestPath) =>
        $"deploy-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(System.IO.Path.GetFullPath(manifestPath))))[..16]}.lock";

    private static async Task<DeployLock> AcquireAsync(
        PrivateFolder folder, string name, string manifestPath, TimeSpan timeout, Action<string, string>? waiting, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(folder.Path, name);
        var told = false;
        DeployLock? TryTake()
        {
            while (true)
            {
                var fd = Open(folder, name, path);
                if (Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) == 0)
                {
                    // The holder before us may have removed the file after we opened it: then we hold a lock on a file
                    // nobody else will open. Only the file the path still names counts.
                    if (FileStat.Of(fd) is { } held && FileStat.At(folder.Fd, name) is { } named && held.SameFile(named))
                    {
                        WriteHolder(fd);
                        return new DeployLock(folder, name, fd);
                    }

                    NativeFile.Close(fd);
                    continue;
                }

                var error = Libc.LastError;
                NativeFile.Close(fd);
                if (error != Libc.EWOULDBLOCK)
                {
                    throw new DeployLockedException($"cannot lock {path} for the deploy of {manifestPath}: {NativeFile.Error(error)}; check that the file can be written.");
                }

                if (!told)
                {
                    waiting?.Invoke(path, Holder(folder, name));
                    told = true;
                }

                return null;
            }
        }

        return await Poll.UntilAsync(TryTake, timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new DeployLockedException(
                $"another deploy of {manifestPath} is running ({Holder(folder, name)}) and still holds {path} after {timeout.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s; " +
                "wait for it to finish, or raise the lock timeout.");
    }

    /// <summary>Opens (creating it 0600) the lock file in the private folder, never through a link, and only if it is ours.</summary>
    private static int Open(PrivateFolder folder, string name, string path)
    {
        var fd = NativeFile.Open(folder.Fd, name, Libc.O_RDWR | Libc.O_CREAT | Libc.O_NOFOLLOW | Libc.O_NONBLOCK, NativeFile.Private);
        if (fd < 0)
        {
            throw new DeployLockedException(
                $"cannot open the deploy lock {path}: {NativeFile.Error(Libc.LastError)}; remove whatever is at that path (it should be a file pbdeploy created), and run again.");
        }

        if (FileStat.Of(fd) is not { IsRegular: true } stat || stat.Uid != NativeFile.Euid)
        {
            NativeFile.Close(fd);
            throw new DeployLockedException($"the deploy lock {path} is not a file of this user's (uid {NativeFile.Euid}); remove it, and run again.");
        }

        return fd;
    }

    private static void WriteHolder(int fd)
    {
        var self = ProcFs.ReadStat(Environment.ProcessId);
        var started = self is null ? DateTime.UtcNow : ProcessClock.StartedUtc(self);
        var commandLine = string.Join(' ', Environment.GetCommandLineArgs());
        var text = string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId}, started {started:yyyy-MM-dd HH:mm:ss}Z, uid {NativeFile.Euid} ({Environment.UserName}): {commandLine}\n{self?.StartTicks}\n{Environment.TickCount64}\n");
        _ = Libc.ftruncate(fd, 0);
        _ = NativeFile.WriteAll(fd, Encoding.UTF8.GetBytes(text));
    }

    /// <summary><c>3 min 12 s</c>, <c>45 s</c>, <c>2 h 5 min</c>.</summary>
    internal static string Duration(TimeSpan time)
    {
        var seconds = (long)time.TotalSeconds;
        return seconds switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds} s"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60} min {seconds % 60} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600} h {seconds % 3600 / 60} min"),
        };
    }

    /// <summary>
    /// What the lock file says of its holder, checked against <c>/proc</c>: the pid must still run with the start time
    /// recorded. Read with libc, not <see cref="File"/>: .NET emulates <see cref="FileShare"/> with
    /// <c>flock(LOCK_SH)</c>, which fails while the holder has the exclusive lock.
    /// </summary>
    private static string Holder(PrivateFolder folder, string name)
    {
        var fd = NativeFile.Open(folder.Fd, name, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK);
        if (fd < 0)
        {
            return "holder unknown";
        }

        try
        {
            var lines = Encoding.UTF8.GetString(NativeFile.ReadFrom(fd, 0, 4096).Bytes).Split('\n');
            if (lines.Length < 2 || !lines[0].StartsWith("pid ", StringComparison.Ordinal))
            {
                return "holder unknown";
            }

            var comma = lines[0].IndexOf(',', StringComparison.Ordinal);
            var pid = comma > 4 && int.TryParse(lines[0].AsSpan(4, comma - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
            if (ProcFs.ReadStat(pid) is not { IsZombie: false } running || running.StartTicks.ToString(CultureInfo.InvariantCulture) != lines[1].Trim())
            {
                return $"holder unknown: the lock says '{lines[0].Trim()}', which no longer runs";
            }

            // Milliseconds since boot when the lock was taken: the same clock in every process, and no wall clock to be set back.
            var since = lines.Length > 2 && long.TryParse(lines[2].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var taken) ? taken : (long?)null;
            var who = lines[0].Trim();
            var rest = who[(comma + 1)..].TrimStart();
            return since is { } t
                ? $"pid {pid}, running for {Duration(TimeSpan.FromMilliseconds(Math.Max(0, Environment.TickCount64 - t)))} ({rest})"
                : who;
        }
        finally
        {
            NativeFile.Close(fd);
        }
    }
}
