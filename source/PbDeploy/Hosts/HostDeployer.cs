using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PbDeploy.Deployment;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace PbDeploy.Hosts;

/// <summary>
/// Runs the same deploy, stop or status on the manifest's <c>hosts</c> over OpenSSH: for each host,
/// <c>ssh HOST pbdeploy deploy --local --manifest DIR/pbdeploy.json ... --events json</c>, whose JSON events come back
/// as <see cref="HostEvent"/>s through the same callback as a local deploy's. Hosts go in manifest order, the
/// manifest's <c>rollout.batch</c> at a time (default: all at once), <c>rollout.wait</c> between batches; after a batch
/// with a failed or unreachable host the rest are not run. No agent: the remote pbdeploy does the work.
/// </summary>
public sealed class HostDeployer
{
    private readonly DeployManifest _manifest;
    private readonly Action<DeployEvent> _raise;

    /// <summary>Creates a runner for the hosts of <paramref name="manifest"/>; <paramref name="onEvent"/> receives progress, one event at a time.</summary>
    /// <exception cref="EnvironmentException">Not Linux on x64 or arm64 (<see cref="PlatformSupport"/>).</exception>
    public HostDeployer(DeployManifest manifest, Action<DeployEvent>? onEvent = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Platform.PlatformCheck.ThrowIfUnsupported();
        _manifest = manifest;
        _raise = EventGate.OneAtATime(onEvent);
    }

    /// <summary>
    /// The hosts of those names in manifest order, or all of them when none is named.
    /// </summary>
    /// <exception cref="PbDeployException">The manifest has no hosts, or a name is not one of them.</exception>
    public IReadOnlyList<HostDefinition> Select(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (_manifest.Hosts.Count == 0)
        {
            throw new InputException(
                $"{_manifest.Path} has no hosts; add them, e.g. \"hosts\": {{ \"web1\": {{ \"ssh\": \"deploy@web1.example.org\", \"dir\": \"/srv/site\" }} }}");
        }

        foreach (var name in names.Where(n => _manifest.Hosts.All(h => h.Name != n)))
        {
            throw new InputException(
                $"{_manifest.Path}: there is no host '{name}'; the hosts are: {string.Join(", ", _manifest.Hosts.Select(h => h.Name))}.");
        }

        return names.Count == 0 ? _manifest.Hosts : [.. _manifest.Hosts.Where(h => names.Contains(h.Name))];
    }

    /// <summary>Deploys on each selected host (after an rsync of the project with <see cref="HostRunOptions.Sync"/>), batch by batch.</summary>
    /// <remarks>
    /// Cancelling closes the stdin of every remote pbdeploy that runs: each stops what it started and says so; hosts
    /// not begun are not run. The result then has <see cref="HostsResult.Interrupted"/> set.
    /// </remarks>
    /// <exception cref="PbDeployException">No such host or service (nothing was run).</exception>
    public Task<HostsResult> DeployAsync(HostRunOptions options, CancellationToken cancellationToken) =>
        RunAsync(options, stop: false, cancellationToken);

    /// <summary>Stops the services on each selected host, batch by batch (as <see cref="DeployAsync"/>).</summary>
    /// <exception cref="PbDeployException">No such host or service (nothing was run).</exception>
    public Task<HostsResult> StopAsync(HostRunOptions options, CancellationToken cancellationToken) =>
        RunAsync(options, stop: true, cancellationToken);

    /// <summary>The status of the services named in <see cref="HostRunOptions.Deploy"/> (all when none is) on every selected host, all at once.</summary>
    /// <returns>One status per host in manifest order; an unreachable host is one with <see cref="HostStatus.Unreachable"/> set.</returns>
    /// <exception cref="PbDeployException">No such host or service.</exception>
    public async Task<IReadOnlyList<HostStatus>> StatusAsync(HostRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hosts = Select(options.Hosts);
        _ = _manifest.Select(options.Deploy.Services);
        return await Task.WhenAll(hosts.Select(host => StatusOfAsync(host, options, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>The command line the host runs (one string its login shell parses; every word quoted).</summary>
    internal static string RemoteCommand(HostDefinition host, string command, IEnumerable<string> arguments) =>
        ShellQuote.Join([host.Pbdeploy ?? "pbdeploy", command, "--local", "--manifest", RemoteManifest(host), .. arguments]);

    /// <summary>
    /// ssh's arguments: batch mode and a connect timeout, <c>--</c> (OpenSSH reads options after the destination too: a
    /// remote command starting with '-' would be one), the destination, then the remote command.
    /// </summary>
    internal static IReadOnlyList<string> SshArguments(HostDefinition host, HostRunOptions options, string remoteCommand) =>
        ["-o", "BatchMode=yes", "-o", $"ConnectTimeout={Seconds(options.ConnectTimeout)}", "--", host.Ssh, remoteCommand];

    private static string RemoteManifest(HostDefinition host) => host.Dir.TrimEnd('/') + "/" + ManifestLoader.FileName;

    private static string Seconds(TimeSpan time) => Math.Max(1, (int)Math.Ceiling(time.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private async Task<HostsResult> RunAsync(HostRunOptions options, bool stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hosts = Select(options.Hosts);
        _ = _manifest.Select(options.Deploy.Services);
        var batch = _manifest.Rollout.Batch ?? hosts.Count;
        var results = new List<HostResult>();
        for (var first = 0; first < hosts.Count; first += batch)
        {
            var batchHosts = hosts.Skip(first).Take(batch).ToList();
            var go = !cancellationToken.IsCancellationRequested && results.All(r => !r.IsFailure);
            if (go && first > 0 && _manifest.Rollout.Wait > TimeSpan.Zero)
            {
                _raise(new RolloutWaiting(_manifest.Rollout.Wait, [.. batchHosts.Select(h => h.Name)]));
                try
                {
                    await Task.Delay(_manifest.Rollout.Wait, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    go = false;
                }
            }

            if (!go)
            {
                foreach (var host in batchHosts)
                {
                    results.Add(Finish(new HostResult(host.Name, HostState.NotRun)));
                }

                continue;
            }

            results.AddRange(await Task.WhenAll(batchHosts.Select(host => RunHostAsync(host, options, stop, cancellationToken))).ConfigureAwait(false));
        }

        return new HostsResult(results) { Interrupted = cancellationToken.IsCancellationRequested };
    }

    private HostResult Finish(HostResult result)
    {
        _raise(new HostFinished(result));
        return result;
    }

    private async Task<HostResult> RunHostAsync(HostDefinition host, HostRunOptions options, bool stop, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (options.Sync)
        {
            _raise(new HostStarted(host.Name, host.Ssh, "sync"));
            if (await SyncAsync(host, options, cancellationToken).ConfigureAwait(false) is { } failed)
            {
                return Finish(failed with { Duration = clock.Elapsed });
            }
        }

        var step = stop ? "stop" : "deploy";
        _raise(new HostStarted(host.Name, host.Ssh, step));
        var deploy = options.Deploy;
        List<string> arguments = ["--events", "json", "--stdin-eof-interrupts", "--lock-timeout", Seconds(deploy.LockTimeout)];
        if (!stop && deploy.Quick)
        {
            arguments.Add("--quick");
        }

        if (!stop && deploy.NoDependencies)
        {
            arguments.Add("--no-deps");
        }

        arguments.AddRange(deploy.Services);
        DeployFinished? finished = null;
        var spoke = false;
        string? lastError = null;
        var exit = await SshProcess.RunAsync(
            options.SshCommand,
            SshArguments(host, options, RemoteCommand(host, step, arguments)),
            _manifest.ProjectDir,
            line =>
            {
                if (!DeployEventJson.TryDecode(line, out var e))
                {
                    _raise(new HostOutput(host.Name, line, IsError: false));
                    return;
                }

                spoke = true;
                if (e is DeployFinished end)
                {
                    finished = end;
                }
                else if (e is not null)
                {
                    _raise(new HostEvent(host.Name, e));
                }
            },
            line =>
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    lastError = line;
                    spoke |= line.StartsWith("pbdeploy:", StringComparison.Ordinal);
                }

                _raise(new HostOutput(host.Name, line, IsError: true));
            },
            options.StopGrace,
            cancellationToken).ConfigureAwait(false);

        return Finish(Judge(host, exit, finished, spoke, lastError, cancellationToken.IsCancellationRequested) with { Duration = clock.Elapsed });
    }

    private static HostResult Judge(HostDefinition host, ExitStatus exit, DeployFinished? finished, bool spoke, string? lastError, bool cancelled)
    {
        var result = new HostResult(host.Name, HostState.Failed) { Result = finished?.Result, ExitCode = exit.Code };
        if (finished is not null)
        {
            return finished.Result.Interrupted || (cancelled && !finished.Result.Succeeded)
                ? result with { State = HostState.Interrupted, Message = "interrupted: the host stopped what it had started" }
                : exit.Code == 0 && finished.Result.Succeeded
                    ? result with { State = HostState.Succeeded }
                    : result with { Message = $"the {(finished.Result.Outcomes.Any(o => o.Phase == Phase.Stop) ? "stop" : "deploy")} failed ({Failed(finished.Result)})" };
        }

        if (cancelled)
        {
            return result with { State = HostState.Interrupted, Message = "interrupted before the host said what it did" };
        }

        if (exit.Code == 255 && !spoke)
        {
            return result with { State = HostState.Unreachable, Message = $"unreachable: {lastError ?? "ssh exited with 255"}" };
        }

        return result with { Message = Clean(lastError) ?? $"the remote pbdeploy ended with {exit} and said nothing; check that {host.Pbdeploy ?? "pbdeploy"} is installed on {host.Ssh}" };
    }

    private static string Failed(DeployResult result)
    {
        var failed = result.Outcomes.Where(o => o.Action == ServiceAction.Failed).Select(o => o.Service).Distinct().ToList();
        return failed.Count > 0 ? $"{string.Join(", ", failed)} failed" : "services were skipped";
    }

    private static string? Clean(string? line) => line is null ? null
        : line.StartsWith("pbdeploy: error: ", StringComparison.Ordinal) ? line["pbdeploy: error: ".Length..]
        : line;

    /// <summary>rsync of the project folder to the host's dir; null when it went well.</summary>
    private async Task<HostResult?> SyncAsync(HostDefinition host, HostRunOptions options, CancellationToken cancellationToken)
    {
        var (destination, port) = RsyncDestination(host.Ssh);
        var shell = $"{options.SshCommand} -o BatchMode=yes -o ConnectTimeout={Seconds(options.ConnectTimeout)}{(port is null ? "" : " -p " + port)}";
        var request = new ProgramRequest(
            "rsync",
            ["-a", "--delete", "--exclude=/.pbdeploy/", "-e", shell, _manifest.ProjectDir.TrimEnd('/') + "/", $"{destination}:{host.Dir.TrimEnd('/')}/"],
            _manifest.ProjectDir,
            ProgramRun.CurrentEnvironment());
        ProgramResult run;
        try
        {
            run = await ProgramRun.RunAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return new HostResult(host.Name, HostState.Interrupted) { Message = "interrupted while copying the project (rsync stopped)" };
        }

        foreach (var line in run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _raise(new HostOutput(host.Name, line, IsError: !run.Exit.Succeeded));
        }

        if (run.Exit.Succeeded)
        {
            return null;
        }

        var last = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return new HostResult(host.Name, run.Exit.Code == 255 ? HostState.Unreachable : HostState.Failed)
        {
            ExitCode = run.Exit.Code,
            Message = $"rsync of {_manifest.ProjectDir} to {host.Ssh}:{host.Dir} failed with {run.Exit}{(last is null ? "" : ": " + last)}",
        };
    }

    /// <summary>rsync takes <c>[user@]host</c> and the port apart: an <c>ssh://user@host:port</c> destination is split.</summary>
    internal static (string Destination, string? Port) RsyncDestination(string ssh)
    {
        if (!ssh.StartsWith("ssh://", StringComparison.Ordinal))
        {
            return (ssh, null);
        }

        var rest = ssh["ssh://".Length..].TrimEnd('/');
        var at = rest.LastIndexOf('@');
        var hostPort = rest[(at + 1)..];
        var colon = hostPort.LastIndexOf(':');
        var bracketed = hostPort.EndsWith(']') || colon < 0;
        var host = bracketed ? hostPort : hostPort[..colon];
        var port = bracketed ? null : hostPort[(colon + 1)..];
        return ((at >= 0 ? rest[..(at + 1)] : "") + host, port);
    }

    private async Task<HostStatus> StatusOfAsync(HostDefinition host, HostRunOptions options, CancellationToken cancellationToken)
    {
        _raise(new HostStarted(host.Name, host.Ssh, "status"));
        var output = new System.Text.StringBuilder();
        string? lastError = null;
        var exit = await SshProcess.RunAsync(
            options.SshCommand,
            SshArguments(host, options, RemoteCommand(host, "status", ["--json", .. options.Deploy.Services])),
            _manifest.ProjectDir,
            line =>
            {
                if (output.Length < SshProcess.MaxLine)
                {
                    _ = output.Append(line).Append('\n'); // beyond: no status this version reads, and memory stays bounded
                }
            },
            line =>
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    lastError = line;
                }
            },
            options.StopGrace,
            cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var text = output.ToString();
        var start = text.IndexOf('[', StringComparison.Ordinal);
        if (exit.Code == 0 && start >= 0)
        {
            try
            {
                return new HostStatus(host.Name, StatusJson.Read(text[start..]));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                return new HostStatus(host.Name, []) { Error = $"the remote pbdeploy status --json printed what this version cannot read ({e.Message}); install the same pbdeploy on {host.Ssh}" };
            }
        }

        return exit.Code == 255 && lastError?.StartsWith("pbdeploy:", StringComparison.Ordinal) != true
            ? new HostStatus(host.Name, []) { Unreachable = true, Error = $"unreachable: {lastError ?? "ssh exited with 255"}" }
            : new HostStatus(host.Name, []) { Error = Clean(lastError) ?? $"the remote pbdeploy status ended with {exit}" };
    }
}
