using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace PbDeploy.Tests.Support;

/// <summary>
/// A real server process from <c>tests/services/testservice.py</c>: listens on a port, may fork workers, ignore
/// SIGTERM, write a pidfile. Disposing kills every process it reported, by pid.
/// </summary>
public sealed class TestService : IDisposable
{
    private readonly Process _process;

    private TestService(Process process, int port, int pid, IReadOnlyList<int> workers, string log)
    {
        _process = process;
        Port = port;
        Pid = pid;
        Workers = workers;
        Log = log;
    }

    public int Port { get; }

    /// <summary>The process that listens (for <c>--zombie</c>, the child that has since exited).</summary>
    public int Pid { get; }

    public IReadOnlyList<int> Workers { get; }

    public string Log { get; }

    /// <summary>The pid of the process we started (the master; for <c>--zombie</c> the parent).</summary>
    public int LauncherPid => _process.Id;

    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static string Script => Path.Combine(AppContext.BaseDirectory, "services", "testservice.py");

    /// <summary>Starts the service with <paramref name="args"/> and waits until it listens.</summary>
    public static async Task<TestService> StartAsync(TempDirectory dir, params string[] args) =>
        await StartBehindAsync(dir, prefix: [], args);

    /// <summary>Starts the service as uid and gid 65534 (nobody), through setpriv.</summary>
    public static async Task<TestService> StartAsNobodyAsync(TempDirectory dir, params string[] args)
    {
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("1777", 8)); // nobody writes its state file there
        return await StartBehindAsync(dir, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], args);
    }

    /// <summary>Starts the service behind a prefix command.</summary>
    private static async Task<TestService> StartBehindAsync(TempDirectory dir, string[] prefix, string[] args)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var state = dir.Combine($"service-{id}.json");
        var log = dir.Combine($"service-{id}.log");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // No pipes: the service's output goes to a file, so nothing can hold the test host's output open.
        foreach (var arg in (string[])["-c", "exec \"$@\" </dev/null >>\"$LOG\" 2>&1", "sh", .. prefix, Python, Script, "--state", state, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["LOG"] = log;
        var process = Process.Start(start)!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!File.Exists(state))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"testservice exited with {process.ExitCode} before listening:\n{await File.ReadAllTextAsync(log)}");
            }

            if (DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"testservice did not listen within 15 s:\n{await File.ReadAllTextAsync(log)}");
            }

            await Task.Delay(20);
        }

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(state));
        var root = json.RootElement;
        var workers = root.GetProperty("workers").EnumerateArray().Select(w => w.GetInt32()).ToList();
        return new TestService(process, root.GetProperty("port").GetInt32(), root.GetProperty("pid").GetInt32(), workers, log);
    }

    public void Dispose()
    {
        foreach (var pid in Workers.Append(Pid).Append(_process.Id).Distinct())
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }
        }

        _ = _process.WaitForExit(5000);
        _process.Dispose();
    }

    /// <summary>A port the OS hands out, free at the time of asking (on both loopbacks and any address).</summary>
    public static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>True when nothing can bind <paramref name="port"/> on any address right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            listener.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            listener.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
