using System.Diagnostics;
using System.Text.Json;

namespace PbDeploy.Tests.Support;

/// <summary>What happened in a PID namespace run by <see cref="PidNamespace.RunAsync"/>.</summary>
/// <param name="ExitCode">The command's exit code.</param>
/// <param name="Stdout">The command's standard output.</param>
/// <param name="Stderr">The command's standard error.</param>
/// <param name="Pid1Signals">The signals pid 1 of the namespace received, by name, in order.</param>
/// <param name="BystanderAlive">Whether the other process of the namespace (a sleep in a group of its own) was still alive when the command ended.</param>
public sealed record NamespaceRun(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Pid1Signals, bool BystanderAlive);

/// <summary>
/// Runs a command inside a PID namespace of its own (<c>unshare --pid --fork --mount-proc</c>) whose pid 1 is
/// <c>tests/services/pid1.py</c>: a process that leads group 1, records the signals it gets, may hold a listening port,
/// and keeps a bystander alive. A test that attacks signalling runs there, so that a mistake can hit only the namespace.
/// </summary>
public static class PidNamespace
{
    public static string Script => Path.Combine(AppContext.BaseDirectory, "services", "pid1.py");

    /// <summary>Runs <paramref name="command"/> in a new PID namespace; pid 1 listens on 127.0.0.1:<paramref name="port"/> when given.</summary>
    public static async Task<NamespaceRun> RunAsync(TempDirectory dir, int? port, params string[] command)
    {
        var output = dir.Combine($"namespace-{Guid.NewGuid():N}");
        Directory.CreateDirectory(output);
        var start = new ProcessStartInfo("unshare") { UseShellExecute = false, WorkingDirectory = dir.Path };
        string[] portArgs = port is { } p ? ["--port", p.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];
        foreach (var arg in (string[])["--pid", "--fork", "--mount-proc", TestService.Python, Script, "--out", output, .. portArgs, "--", .. command])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // unshare's child is pid 1 of the namespace: its end ends them all
            throw new TimeoutException($"{string.Join(' ', command)} did not finish within 100 s in its PID namespace");
        }

        var result = Path.Combine(output, "result.json");
        File.Exists(result).ShouldBeTrue($"pid 1 of the namespace wrote no result (unshare exited with {process.ExitCode}): it died");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(result));
        var signals = Path.Combine(output, "signals");
        return new NamespaceRun(
            json.RootElement.GetProperty("exit").GetInt32(),
            await File.ReadAllTextAsync(Path.Combine(output, "stdout")),
            await File.ReadAllTextAsync(Path.Combine(output, "stderr")),
            File.Exists(signals) ? await File.ReadAllLinesAsync(signals) : [],
            json.RootElement.GetProperty("bystander_alive").GetBoolean());
    }
}
