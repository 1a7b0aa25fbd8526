using System.Diagnostics;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary><c>pbdeploy schema</c> prints <c>pbdeploy.schema.json</c> of the repository, byte for byte, and needs no manifest.</summary>
public sealed class SchemaCommandTests
{
    private static string SchemaFile
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "PbDeploy.slnx")))
            {
                root = root.Parent;
            }

            root.ShouldNotBeNull("the repository root (PbDeploy.slnx) above the test's folder");
            return Path.Combine(root.FullName, "pbdeploy.schema.json");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task The_real_tool_prints_the_schema_file_byte_for_byte_in_a_folder_without_a_manifest()
    {
        using var dir = new TempDirectory();
        var stdout = dir.Combine("stdout");
        var stderr = dir.Combine("stderr");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = dir.Path };
        // Output to files, not pipes: the bytes as a redirect (pbdeploy schema > pbdeploy.schema.json) writes them.
        foreach (var arg in (string[])["-c", "exec dotnet \"$1\" schema </dev/null >\"$2\" 2>\"$3\"", "sh", Pbdeploy.ToolDll, stdout, stderr])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("pbdeploy schema did not finish within 50 s");
        }

        process.ExitCode.ShouldBe(0, await File.ReadAllTextAsync(stderr));
        (await File.ReadAllBytesAsync(stderr)).ShouldBeEmpty();
        (await File.ReadAllBytesAsync(stdout)).ShouldBe(await File.ReadAllBytesAsync(SchemaFile));
    }

    [Fact]
    public async Task Schema_prints_the_file_and_exits_0()
    {
        var result = await Pbdeploy.RunAsync("schema");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldBeEmpty();
        result.Stdout.ShouldBe(await File.ReadAllTextAsync(SchemaFile));
    }

    [Fact]
    public async Task Schema_takes_no_argument()
    {
        var result = await Pbdeploy.RunAsync("schema", "web");

        result.ExitCode.ShouldBe(2);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldContain("web");
    }
}
