using System.Diagnostics;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// The start-up shortcuts of the command line: <c>--version</c> answers without the command tree, and a run that names
/// its command first builds only that command. Each must answer exactly what the whole tree answers.
/// </summary>
public sealed class CommandLineTests
{
    [Fact(Timeout = 60_000)]
    public async Task Version_prints_the_informational_version_of_the_tool_alone()
    {
        using var dir = new TempDirectory();

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "--version");

        // What System.CommandLine's --version printed: the entry assembly's informational version (0.1.0+commit).
        var expected = FileVersionInfo.GetVersionInfo(Pbdeploy.ToolDll).ProductVersion;
        expected.ShouldNotBeNullOrEmpty();
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldBe($"{expected}\n");
        result.Stderr.ShouldBeEmpty();
    }

    [Theory(Timeout = 60_000)]
    [InlineData("deploy")]
    [InlineData("stop")]
    [InlineData("status")]
    [InlineData("render")]
    [InlineData("import")]
    [InlineData("schema")]
    public async Task A_command_named_first_gives_the_help_and_errors_of_the_whole_tree(string command)
    {
        // An option first makes App build every command; the command first, only that one.
        string[] wholeTree = ["--manifest", "unused.json"];

        var help = await Pbdeploy.RunAsync(command, "--help");
        var wholeHelp = await Pbdeploy.RunAsync([.. wholeTree, command, "--help"]);
        var error = await Pbdeploy.RunAsync(command, "--no-such-option");
        var wholeError = await Pbdeploy.RunAsync([.. wholeTree, command, "--no-such-option"]);

        help.ExitCode.ShouldBe(0, help.Stderr);
        help.Stdout.ShouldContain($" {command} [", Case.Sensitive); // the usage line of that command
        help.ShouldBe(wholeHelp);
        error.ExitCode.ShouldBe(2);
        error.Stderr.ShouldNotBeEmpty();
        error.ShouldBe(wholeError);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_root_help_lists_every_command_in_order()
    {
        var result = await Pbdeploy.RunAsync("--help");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var positions = new[] { "deploy", "stop", "status", "render", "check", "import", "schema", "hook" }
            .Select(c => result.Stdout.IndexOf($"\n  {c} ", StringComparison.Ordinal))
            .ToList();
        positions.ShouldAllBe(p => p > 0);
        positions.ShouldBeInOrder();
    }
}
