using System.Diagnostics;
using System.Globalization;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests.Support;

/// <summary>
/// Hosts for the tests: one network namespace per host (its own 127.0.0.1, so every host can serve the same ports), an
/// sshd in each with its own config and a host key of the fixture's, and an ssh config with a Host entry per name that
/// reaches it through <c>ProxyCommand ip netns exec NS nc %h %p</c>. <see cref="SshCommand"/> is the value of
/// <c>PBDEPLOY_SSH_COMMAND</c> that uses it. The remote <c>pbdeploy</c> is the tool under test (a script on the PATH
/// sshd gives its sessions). The host <see cref="Down"/> has a namespace but no sshd: unreachable. Everything is
/// removed on dispose, by pid and by namespace name, every step bounded. The Cake tests compile this file too (linked).
/// </summary>
public sealed class SshHosts : IAsyncLifetime
{
    public const string Down = "down";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);
    private readonly string _prefix = $"pbd-{Guid.NewGuid().ToString("N")[..6]}-";
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _daemons = [];
    private TempDirectory? _dir;

    /// <summary>The hosts with an sshd, by name (the ssh config's Host).</summary>
    public IReadOnlyList<string> Names { get; } = ["web1", "web2"];

    /// <summary>Why the tests cannot run here (not root, sshd or nc missing), or null.</summary>
    public static string? Missing { get; } = FindMissing();

    /// <summary><c>ssh -F CONFIG</c>: the value for <c>PBDEPLOY_SSH_COMMAND</c>.</summary>
    public string SshCommand => $"ssh -F {Config}";

    public string Config => _dir!.Combine("ssh_config");

    /// <summary>The network namespace of a host.</summary>
    public string Namespace(string host) => _prefix + host;

    /// <summary>Fails the test, with the line that says what to install, where the hosts could not be made (CI=true).</summary>
    public void EnsureReady() => Missing.ShouldBeNull();

    /// <summary>True where the hosts could not be made.</summary>
    public static bool Unavailable => Missing is not null;

    public async Task InitializeAsync()
    {
        if (Missing is not null)
        {
            return;
        }

        _dir = new TempDirectory("ssh-hosts");
        Directory.CreateDirectory("/run/sshd");
        var hostKey = _dir.Combine("host_ed25519");
        var clientKey = _dir.Combine("client_ed25519");
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pbdeploy-tests-host", "-f", hostKey);
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pbdeploy-tests-client", "-f", clientKey);
        File.Copy(clientKey + ".pub", _dir.Combine("authorized_keys"));

        // The remote pbdeploy: the tool under test, first on the PATH sshd gives its sessions.
        var bin = Directory.CreateDirectory(_dir.Combine("bin")).FullName;
        var tool = Path.Combine(bin, "pbdeploy");
        File.WriteAllText(tool, $"#!/bin/sh\nexec dotnet '{PbdeployTool.Dll}' \"$@\"\n");
        File.SetUnixFileMode(tool, (UnixFileMode)Convert.ToInt32("755", 8));

        var hostPublic = File.ReadAllText(hostKey + ".pub").Trim();
        var knownHosts = _dir.Combine("known_hosts");
        File.WriteAllLines(knownHosts, [.. Names.Append(Down).Select(n => $"{n} {hostPublic}")]);
        var config = new List<string>();
        foreach (var name in Names.Append(Down))
        {
            var ns = Namespace(name);
            await RunAsync("ip", "netns", "add", ns);
            _namespaces.Add(ns);
            await RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            config.AddRange([
                $"Host {name}",
                "    HostName 127.0.0.1",
                "    User root",
                $"    HostKeyAlias {name}",
                $"    ProxyCommand ip netns exec {ns} nc %h %p",
                $"    IdentityFile {clientKey}",
                "    IdentitiesOnly yes",
                $"    UserKnownHostsFile {knownHosts}",
                "    StrictHostKeyChecking yes",
                "    LogLevel ERROR",
            ]);
            if (name != Down)
            {
                StartSshd(name, hostKey, bin);
            }
        }

        File.WriteAllLines(Config, config);
        foreach (var name in Names)
        {
            await WaitForSshAsync(name);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var daemon in _daemons)
        {
            Kill(daemon.Id, "TERM");
            if (!daemon.WaitForExit(3000))
            {
                Kill(daemon.Id, "KILL");
                _ = daemon.WaitForExit(3000);
            }

            daemon.Dispose();
        }

        foreach (var ns in _namespaces)
        {
            // What the tests left in the namespace: sshd's sessions, remote pbdeploys, the services they started.
            for (var round = 0; round < 3; round++)
            {
                var pids = await PidsAsync(ns);
                if (pids.Count == 0)
                {
                    break;
                }

                foreach (var pid in pids)
                {
                    Kill(pid, "KILL");
                }

                await Task.Delay(200);
            }

            _ = await TryRunAsync("ip", "netns", "del", ns);
        }

        _dir?.Dispose();
    }

    /// <summary>The pids of every process in a host's namespace.</summary>
    public async Task<IReadOnlyList<int>> PidsAsync(string ns)
    {
        var result = await TryRunAsync("ip", "netns", "pids", ns);
        return result is { ExitCode: 0 }
            ? [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))]
            : [];
    }

    /// <summary>The remote pbdeploy processes (the tool under test) still running on a host.</summary>
    public async Task<IReadOnlyList<int>> PbdeployPidsAsync(string host) =>
        [.. (await PidsAsync(Namespace(host))).Where(pid => CommandLine(pid).Contains("pbdeploy.dll", StringComparison.Ordinal))];

    /// <summary>
    /// Stops, by pid, what a failed test left serving on <paramref name="hosts"/>: every process in their namespaces
    /// whose command line names one of <paramref name="ports"/>.
    /// </summary>
    public void StopServing(IEnumerable<string> hosts, params int[] ports)
    {
        foreach (var ns in hosts.Select(Namespace))
        {
            foreach (var pid in PidsAsync(ns).GetAwaiter().GetResult())
            {
                var commandLine = CommandLine(pid);
                if (ports.Any(p => commandLine.Contains(p.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))
                {
                    try
                    {
                        Process.GetProcessById(pid).Kill();
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // gone
                    }
                }
            }
        }
    }

    /// <summary>True while <paramref name="pid"/> runs (not a zombie).</summary>
    public static bool IsAlive(int pid) => PbDeploy.Processes.Signals.Describe(pid) is { IsZombie: false };

    /// <summary>A process's command line (NULs between the words), or empty when it is gone or unreadable.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Runs a command inside a host's namespace (e.g. a client of the port the host serves).</summary>
    public Task<ProgramOutput> RunInAsync(string host, params string[] command) =>
        TestProgram.RunAsync("ip", ["netns", "exec", Namespace(host), .. command], StepTimeout);

    /// <summary>True when something listens on 127.0.0.1:<paramref name="port"/> of the host.</summary>
    public async Task<bool> ListensAsync(string host, int port)
    {
        var result = await RunInAsync(host, "nc", "-z", "-w", "2", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture));
        return result.ExitCode == 0;
    }

    private void StartSshd(string name, string hostKey, string bin)
    {
        var config = _dir!.Combine($"sshd_config-{name}");
        File.WriteAllLines(config, [
            "ListenAddress 127.0.0.1",
            "Port 22",
            $"HostKey {hostKey}",
            $"AuthorizedKeysFile {_dir.Combine("authorized_keys")}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            // The fixture's files are under /tmp, which every user can write: sshd's strict modes would refuse them.
            "StrictModes no",
            $"PidFile {_dir.Combine($"sshd-{name}.pid")}",
            $"SetEnv PATH={bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ]);
        var log = _dir.Combine($"sshd-{name}.log");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in (string[])["-c", "exec \"$@\" </dev/null >>\"$LOG\" 2>&1", "sh", "ip", "netns", "exec", Namespace(name), "/usr/sbin/sshd", "-D", "-e", "-f", config])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["LOG"] = log;
        _daemons.Add(Process.Start(start)!);
    }

    private async Task WaitForSshAsync(string name)
    {
        var deadline = DateTime.UtcNow + StepTimeout;
        while (true)
        {
            var result = await TestProgram.RunAsync("ssh", ["-F", Config, "-o", "BatchMode=yes", name, "true"], StepTimeout);
            if (result.ExitCode == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"ssh {name} did not answer within {StepTimeout.TotalSeconds} s: {result.Stderr}\nsshd: {File.ReadAllText(_dir!.Combine($"sshd-{name}.log"))}");
            }

            await Task.Delay(100);
        }
    }

    private static void Kill(int pid, string signal)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false, RedirectStandardError = true })!;
            _ = kill.WaitForExit(5000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no kill program: nothing more to do
        }
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var result = await TestProgram.RunAsync(program, arguments, StepTimeout);
        result.ExitCode.ShouldBe(0, $"{program} {string.Join(' ', arguments)}: {result.Stderr}");
    }

    private static async Task<ProgramOutput?> TryRunAsync(string program, params string[] arguments)
    {
        try
        {
            return await TestProgram.RunAsync(program, arguments, StepTimeout);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static string? FindMissing()
    {
        if (Environment.UserName != "root")
        {
            return "the host tests make network namespaces: run them as root";
        }

        foreach (var (program, package) in (ReadOnlySpan<(string, string)>)[("/usr/sbin/sshd", "openssh-server"), ("ssh", "openssh-client"), ("nc", "netcat-openbsd"), ("rsync", "rsync"), ("ip", "iproute2")])
        {
            var found = program.StartsWith('/')
                ? File.Exists(program)
                : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, program)));
            if (!found)
            {
                return $"{program} is missing: run build/prerequisites.sh test (apt-get install {package})";
            }
        }

        return null;
    }
}

/// <summary>
/// A test that needs <see cref="SshHosts"/>: skipped, visibly, where they cannot be made (not root, sshd or nc
/// missing); under CI=true never skipped, so it fails with that line.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class HostsFactAttribute : FactAttribute
{
    public HostsFactAttribute()
    {
        if (SshHosts.Missing is { } missing && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = missing;
        }
    }
}
