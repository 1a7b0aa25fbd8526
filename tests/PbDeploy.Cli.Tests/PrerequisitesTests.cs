using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// build/prerequisites.sh, which `./build.sh --target=Test` and `.ci/run` both run: nothing to say where everything
/// is there, and one line naming what to install where it is not and cannot be installed.
/// </summary>
public sealed class PrerequisitesTests
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "build", "prerequisites.sh");

    [Fact(Timeout = 60_000)]
    public async Task Where_everything_is_there_it_says_nothing_and_succeeds()
    {
        var (code, stdout, stderr) = await RunAsync(Environment.GetEnvironmentVariable("PATH")!);

        code.ShouldBe(0, stderr);
        (stdout + stderr).ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Where_programs_are_missing_and_apt_get_is_not_there_it_names_them_in_one_line_and_fails()
    {
        // A PATH with id alone: every program the tests need is missing, and so is apt-get.
        using var dir = new TempDirectory();
        var bin = Directory.CreateDirectory(dir.Combine("bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "id"), "/usr/bin/id");

        var (code, stdout, stderr) = await RunAsync(bin);

        code.ShouldBe(1);
        stdout.ShouldBeEmpty();
        stderr.TrimEnd('\n').ShouldNotContain("\n", Case.Sensitive, "one line");
        stderr.ShouldStartWith("prerequisites: ");
        stderr.ShouldMatch("missing python3 setpriv script lsof|is in /usr/sbin, which is not on PATH");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string path)
    {
        var result = await TestProgram.RunAsync(
            "/bin/bash", [Script, "test"], TimeSpan.FromSeconds(50), environment: new Dictionary<string, string?> { ["PATH"] = path });
        return (result.ExitCode, result.Stdout, result.Stderr);
    }
}
