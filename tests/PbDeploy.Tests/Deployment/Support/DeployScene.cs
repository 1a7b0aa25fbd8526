using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PbDeploy.Deployment;
using PbDeploy.Manifest;
using PbDeploy.Platform;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Deployment.Support;

/// <summary>
/// A project folder with a <c>pbdeploy.json</c> of real test services on OS-given ports, and the events of the deploys
/// run in it. Disposing stops the services through the engine, then kills by pid whatever still listens on the
/// scene's ports or still runs with the scene's folder on its command line, so that no test leaves a process behind.
/// </summary>
internal sealed class DeployScene : IAsyncDisposable, IDisposable
{
    /// <summary>The test server with its state file in the project folder (so every process of the scene names the folder).</summary>
    public const string Serve = "{python} {script} --state {project_dir}/{name}.state.json";

    /// <summary>A shell loop that waits until <c>{pid}</c> has exited (a zombie counts as exited).</summary>
    public const string WaitUntilPidGone = "while [ -e /proc/{pid} ] && ! grep -q ') Z ' /proc/{pid}/stat 2>/dev/null; do sleep 0.05; done";

    private readonly List<int> _ports = [];
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // As people write it: a '>' or an 'é' in a command stays as it is, so columns in messages match the text.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly JsonObject _services = new();
    private readonly Lock _gate = new();
    private readonly List<DeployEvent> _events = [];
    private bool _disposed;

    public DeployScene([CallerMemberName] string name = "")
    {
        Dir = new TempDirectory(name);
    }

    public TempDirectory Dir { get; }

    public string ProjectDir => Dir.Path;

    public string ManifestPath => Dir.Combine(ManifestLoader.FileName);

    /// <summary>The manifest's <c>env</c>.</summary>
    public JsonObject Env { get; } = new();

    /// <summary>The manifest's <c>variables</c>, besides <c>python</c> and <c>script</c>.</summary>
    public JsonObject Variables { get; } = new();

    /// <summary>The manifest's top-level <c>shell</c>, when set.</summary>
    public string? Shell { get; set; }

    /// <summary>The manifest as last written by <see cref="Write"/>.</summary>
    public DeployManifest? Manifest { get; private set; }

    /// <summary>Every event raised by the deployers of this scene, in order.</summary>
    public IReadOnlyList<DeployEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>A port the OS hands out, cleaned up after the test.</summary>
    public int Port()
    {
        var port = TestService.FreePort();
        _ports.Add(port);
        return port;
    }

    /// <summary>Adds a service (its JSON as in the manifest) and returns it for more settings.</summary>
    public JsonObject Service(string name, object settings)
    {
        var service = JsonSerializer.SerializeToNode(settings)!.AsObject();
        _services[name] = service;
        return service;
    }

    /// <summary>A detached test server on a new port: <c>daemonizes: false</c>, start <see cref="Serve"/> plus <paramref name="args"/>.</summary>
    public JsonObject Server(string name, string args = "", int? port = null)
    {
        var service = Service(name, new
        {
            port = port ?? Port(),
            start = $"exec {Serve} --port {{port}} {args}".TrimEnd(),
            daemonizes = false,
        });
        return service;
    }

    /// <summary>Writes <c>pbdeploy.json</c> and loads it with <see cref="ManifestLoader.Load"/>.</summary>
    public DeployManifest Write()
    {
        // Copies: a node belongs to one document, and the scene may be written again.
        var variables = Variables.DeepClone().AsObject();
        variables["python"] = TestService.Python;
        variables["script"] = TestService.Script;
        var manifest = new JsonObject { ["variables"] = variables, ["services"] = _services.DeepClone() };
        if (Env.Count > 0)
        {
            manifest["env"] = Env.DeepClone();
        }

        if (Shell is not null)
        {
            manifest["shell"] = Shell;
        }

        File.WriteAllText(ManifestPath, manifest.ToJsonString(Indented));
        Manifest = ManifestLoader.Load(ManifestPath);
        return Manifest;
    }

    /// <summary>A deployer of the written manifest whose events go to <see cref="Events"/> (and to <paramref name="also"/>).</summary>
    public Deployer Deployer(Action<DeployEvent>? also = null) =>
        new(Manifest ?? Write(), e =>
        {
            lock (_gate)
            {
                _events.Add(e);
            }

            also?.Invoke(e);
        });

    public Task<DeployResult> DeployAsync(DeployOptions? options = null) =>
        Deployer().DeployAsync(options ?? new DeployOptions(), Timeout(60));

    /// <summary>A deploy interrupted (as by Ctrl-C) 0.3 s after it begins to wait for <paramref name="service"/> to be ready.</summary>
    public async Task<DeployResult> DeployInterruptedWhileWaitingForAsync(string service)
    {
        using var cancel = new CancellationTokenSource();
        var deployer = Deployer(e =>
        {
            if (e is Waiting waiting && waiting.Service == service)
            {
                cancel.CancelAfter(300);
            }
        });

        return await deployer.DeployAsync(new DeployOptions(), cancel.Token);
    }

    public Task<DeployResult> StopAsync(DeployOptions? options = null) =>
        Deployer().StopAsync(options ?? new DeployOptions(), Timeout(60));

    public static CancellationToken Timeout(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>The outcome of <paramref name="service"/> in <paramref name="phase"/>.</summary>
    public static ServiceOutcome Outcome(DeployResult result, string service, Phase phase = Phase.StartOrRestart) =>
        result.Outcomes.Single(o => o.Service == service && o.Phase == phase);

    /// <summary>Who listens on <paramref name="port"/> now.</summary>
    public static PortOwner Owner(int port) => new ProcessFinder().FindPortOwner(port);

    /// <summary>Alive: <c>/proc/PID/stat</c> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => Signals.Describe(pid) is { IsZombie: false };

    /// <summary>The live (non-zombie) processes whose command line names this scene's folder.</summary>
    public IReadOnlyList<int> LiveProcesses()
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                if (cmdline.Contains(ProjectDir, StringComparison.Ordinal) && IsAlive(pid))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone, or not ours to read
            }
        }

        return found;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="seconds"/> pass.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, double seconds = 10)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                return false;
            }

            await Task.Delay(25);
        }

        return true;
    }

    /// <summary>The lines of a file of the project folder (none when it does not exist).</summary>
    public string[] Lines(string relativePath) =>
        File.Exists(Dir.Combine(relativePath)) ? File.ReadAllLines(Dir.Combine(relativePath)) : [];

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (Manifest is not null)
            {
                try
                {
                    _ = await new Deployer(Manifest).StopAsync(new DeployOptions { LockTimeout = TimeSpan.FromSeconds(20) }, Timeout(60));
                }
                catch (Exception e) when (e is PbDeployException or OperationCanceledException)
                {
                    // a bad manifest or template: nothing of it was started; the kills below still run
                }
            }

            await KillLeftoversAsync();
        }
        finally
        {
            Dir.Dispose();
        }
    }

    /// <summary>SIGKILLs, by pid, what listens on the scene's ports and what runs with the scene's folder on its command line.</summary>
    private async Task KillLeftoversAsync()
    {
        var pids = new HashSet<int>(LiveProcesses());
        if (_ports.Count > 0)
        {
            foreach (var owner in new ProcessFinder().FindPortOwners(_ports).Values.Where(o => o.State == ServiceState.Running))
            {
                pids.UnionWith(owner.Pids);
            }
        }

        foreach (var pid in pids)
        {
            _ = Libc.kill(pid, Libc.SIGKILL);
        }

        // Reap those that are our own children (a detached start is a child of the test host); never anyone else's.
        _ = await EventuallyAsync(() =>
        {
            foreach (var pid in pids)
            {
                _ = ChildProcess.TryReap(pid);
            }

            return pids.All(pid => !IsAlive(pid)) && _ports.All(p => Owner(p).State == ServiceState.Stopped);
        }, seconds: 5);
    }
}
