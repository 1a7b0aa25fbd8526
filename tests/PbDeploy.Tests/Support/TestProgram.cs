using System.Diagnostics;

namespace PbDeploy.Tests.Support;

/// <summary>What a program the tests ran printed, and how it exited.</summary>
public sealed record ProgramOutput(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs a program the way the tests need it: arguments as a list (no shell), stdin empty, stdout and stderr read to the
/// end, and a timeout after which the program and everything it started are killed and the test fails, naming it.
/// </summary>
public static class TestProgram
{
    public static async Task<ProgramOutput> RunAsync(
        string program,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                _ = start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s");
        }

        return new ProgramOutput(process.ExitCode, await stdout, await stderr);
    }
}
