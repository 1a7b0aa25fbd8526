using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>One service as <c>pbdeploy status --json</c> shows it.</summary>
public sealed record ServiceView(string Name, int? Port, string? Pidfile, string State, int? Pid, IReadOnlyList<int> Pids)
{
    /// <summary>Every holder but the master: a prefork server's workers.</summary>
    public IReadOnlyList<int> Workers => [.. Pids.Where(p => p != Pid)];
}

/// <summary>Helpers for tests against real servers (nginx, gunicorn): the example project, status, HTTP, polling.</summary>
public static class RealServices
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Fails with a clear message when <paramref name="program"/> is not on PATH (<c>.ci/run</c> installs it).</summary>
    public static void Require(string program, string package)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        path.Any(d => File.Exists(Path.Combine(d, program))).ShouldBeTrue(
            $"'{program}' is not on PATH; install it with 'apt-get install {package}' (.ci/run does this on a fresh machine)");
    }

    /// <summary>
    /// Copies <c>examples/NAME</c> into <paramref name="dir"/> (readable by nginx's workers, which run as nobody) and
    /// returns the path of its manifest.
    /// </summary>
    public static string CopyExample(TempDirectory dir, string name)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "examples", name);
        Directory.Exists(source).ShouldBeTrue($"the example {source} was not copied to the test output");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = dir.Combine(Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        // nginx's workers (nobody, when nginx runs as root) use the temp folders under run/: let others in.
        foreach (var folder in (string[])[Path.GetDirectoryName(dir.Path)!, dir.Path])
        {
            File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return dir.Combine("pbdeploy.json");
    }

    /// <summary>Rewrites the manifest at <paramref name="manifest"/>: the test's free ports instead of the example's fixed ones, and so on.</summary>
    public static void EditManifest(string manifest, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        edit(json);
        File.WriteAllText(manifest, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Sets <c>variables.greeting</c> and the ports of the example nginx-gunicorn.</summary>
    public static void ConfigureNginxGunicorn(string manifest, int appPort, int nginxPort, string greeting) => EditManifest(manifest, json =>
    {
        json["variables"]!["greeting"] = greeting;
        json["services"]!["app"]!["port"] = appPort;
        json["services"]!["nginx"]!["port"] = nginxPort;
    });

    /// <summary><c>pbdeploy status --json SERVICE</c>.</summary>
    public static async Task<ServiceView> StatusAsync(string manifest, string service)
    {
        var result = await Pbdeploy.RunAsync("status", service, "--json", "--manifest", manifest);
        result.ExitCode.ShouldBe(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var e = json.RootElement.EnumerateArray().Single();
        return new ServiceView(
            e.GetProperty("name").GetString()!,
            e.GetProperty("port").ValueKind == JsonValueKind.Null ? null : e.GetProperty("port").GetInt32(),
            e.GetProperty("pidfile").GetString(),
            e.GetProperty("state").GetString()!,
            e.GetProperty("pid").ValueKind == JsonValueKind.Null ? null : e.GetProperty("pid").GetInt32(),
            [.. e.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32())]);
    }

    /// <summary>The body of <c>GET http://127.0.0.1:PORT/PATH</c>, or null when the request fails.</summary>
    public static async Task<string?> GetAsync(int port, string path = "/")
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
        {
            return null;
        }
    }

    /// <summary>What a raw TCP server on 127.0.0.1:PORT says before it closes the connection (testservice.py: "pid N\n").</summary>
    public static async Task<string> ReadAllAsync(int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        using var reader = new StreamReader(client.GetStream());
        return await reader.ReadToEndAsync(timeout.Token);
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value <paramref name="accept"/> takes, within <paramref name="timeout"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (accept(value))
            {
                return value;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"{what} did not happen within {timeout.TotalSeconds} s; last seen: {value}");
            await Task.Delay(50);
        }
    }

    /// <summary>The pid a pidfile holds.</summary>
    public static int ReadPidfile(string path) => int.Parse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="pid"/> is gone (or a zombie nobody has reaped yet).</summary>
    public static bool IsGone(int pid) => Signals.Describe(pid) is null or { IsZombie: true };
}

/// <summary>Kills, by pid, the process a pidfile names when the test ends, if it still is the process that wrote it.</summary>
public sealed class PidfileCleanup(string path) : IDisposable
{
    public void Dispose()
    {
        if (PidfileProbe.Read(path) is { State: ServiceState.Running, Pid: { } pid } && Signals.Describe(pid) is { } process)
        {
            _ = Signals.Send(process, Signals.Kill);
        }
    }
}
