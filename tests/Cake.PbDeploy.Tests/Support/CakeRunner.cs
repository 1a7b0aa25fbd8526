using System.Diagnostics;
using System.Reflection;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests.Support;

/// <summary>The result of one run of <c>dotnet cake</c>: exit code, and stdout and stderr together.</summary>
public sealed record CakeResult(int ExitCode, string Output)
{
    /// <summary>Where <paramref name="text"/> first appears in the output; fails when it does not.</summary>
    public int IndexOf(string text)
    {
        var index = Output.IndexOf(text, StringComparison.Ordinal);
        index.ShouldBeGreaterThanOrEqualTo(0, $"'{text}' is not in the output:\n{Output}");
        return index;
    }
}

/// <summary>Runs the real Cake (the repository's pinned cake.tool) on a script in a test's folder.</summary>
public static class CakeRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);

    private static readonly Lazy<Task<string>> Restored = new(RestoreToolAsync);

    /// <summary>The folder of the tests' build output: the addin and its core are there.</summary>
    public static string AddinDll => Path.Combine(AppContext.BaseDirectory, "Cake.PbDeploy.dll");

    /// <summary>The folder feed that holds the packed addin (made by the test project's build).</summary>
    public static string Feed => Path.Combine(AppContext.BaseDirectory, "addin-feed");

    /// <summary>The repository root: its tool manifest pins cake.tool.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var root = typeof(CakeRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
            return File.Exists(Path.Combine(root, ".config", "dotnet-tools.json"))
                ? root
                : throw new InvalidOperationException($"no .config/dotnet-tools.json in {root}, the repository these tests were built from");
        }
    }

    /// <summary>The first lines of a script that loads the addin from the tests' build output.</summary>
    public static string Reference => $"#r \"{AddinDll}\"\n";

    /// <summary>Writes <paramref name="script"/> to build.cake in <paramref name="dir"/> and runs <c>dotnet cake</c> on it.</summary>
    public static async Task<CakeResult> RunAsync(TempDirectory dir, string script, params string[] args)
    {
        var (process, output) = await StartAsync(dir, script, args);
        using (process)
        {
            return await WaitAsync(process, output, args);
        }
    }

    /// <summary>
    /// Starts <c>dotnet cake</c> on <paramref name="script"/> in a session and process group of its own (as a terminal
    /// would run it in the foreground), without waiting; its output goes to the returned file.
    /// </summary>
    public static async Task<(Process Process, string Output)> StartAsync(TempDirectory dir, string script, params string[] args)
    {
        var scriptPath = dir.Write("build.cake", script);
        var root = await Restored.Value;
        var output = dir.Combine($"cake-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = root };
        // No pipes: a service started by the script inherits nothing the test waits on; its output goes to files.
        foreach (var arg in (string[])["/bin/sh", "-c", "exec \"$@\" </dev/null >\"$OUT\" 2>&1", "sh", "dotnet", "tool", "run", "dotnet-cake", scriptPath, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OUT"] = output;
        start.Environment["NO_COLOR"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return (Process.Start(start)!, output);
    }

    /// <summary>Waits for a run started by <see cref="StartAsync"/> (killing it after the timeout) and returns its result.</summary>
    public static async Task<CakeResult> WaitAsync(Process process, string output, params string[] args)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet cake {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s:\n{await File.ReadAllTextAsync(output)}");
        }

        return new CakeResult(process.ExitCode, await File.ReadAllTextAsync(output));
    }

    private static async Task<string> RestoreToolAsync()
    {
        var root = RepositoryRoot;
        var start = new ProcessStartInfo("dotnet", ["tool", "restore"])
        {
            UseShellExecute = false,
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet tool restore failed with {process.ExitCode}:\n{await stdout}{await stderr}");
        }

        return root;
    }
}
