using System.Diagnostics;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests.Support;

/// <summary>The result of one run of <c>pbdeploy</c>.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs <c>pbdeploy</c>: in-process for speed, or as a real process (<c>dotnet pbdeploy.dll</c>) where the process matters.</summary>
public static class Pbdeploy
{
    public static async Task<RunResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await PbDeploy.Cli.App.RunAsync(args, stdout, stderr);
        return new RunResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the real tool in <paramref name="workingDirectory"/>, behind <paramref name="prefix"/> (e.g. setpriv), with a 60 s timeout.</summary>
    public static async Task<RunResult> RunProcessAsync(TempDirectory dir, string workingDirectory, string[] prefix, params string[] args)
    {
        var toolDir = CopyOfTool();
        var stdoutFile = dir.Combine($"stdout-{Guid.NewGuid():N}.txt");
        var stderrFile = dir.Combine($"stderr-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        // No pipes: output goes to files, so a child of the tool can never hold the test's pipe open.
        foreach (var arg in (string[])["-c", "exec \"$@\" </dev/null >\"$OUT\" 2>\"$ERR\"", "sh", .. prefix, "dotnet", Path.Combine(toolDir, "pbdeploy.dll"), .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OUT"] = stdoutFile;
        start.Environment["ERR"] = stderrFile;
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pbdeploy {string.Join(' ', args)} did not finish within 60 s");
        }

        return new RunResult(process.ExitCode, await File.ReadAllTextAsync(stdoutFile), await File.ReadAllTextAsync(stderrFile));
    }

    private static string CopyOfTool() => PbdeployTool.Folder;

    /// <summary>The tool's dll, in a copy any user can read.</summary>
    public static string ToolDll => PbdeployTool.Dll;
}
