using PbDeploy.Cli.Output;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// What people see: plain ASCII tables off a terminal (unchanged since the tables were Spectre.Console's), and on a real
/// terminal (a pseudo-terminal from util-linux's <c>script</c>) box-drawing tables, colors unless NO_COLOR, and a
/// spinner that hides the cursor and always gives it back.
/// </summary>
public sealed class TerminalOutputTests
{
    [Fact]
    public void A_table_off_a_terminal_is_ascii_with_a_rule_under_its_header_and_no_escape_sequences()
    {
        var table = new TextTable("service", "state", "pid")
            .AddRow("web", new Styled("running", TextStyle.Green), "1234")
            .AddRow("database", new Styled("stopped", TextStyle.Grey), "-");

        string[] expected =
        [
            "+---------------------------+",
            "| service  | state   | pid  |",
            "|----------+---------+------|",
            "| web      | running | 1234 |",
            "| database | stopped | -    |",
            "+---------------------------+",
        ];
        table.Lines(terminal: false, colors: false).ShouldBe(expected);
    }

    [Fact]
    public void A_table_on_a_terminal_pads_by_the_visible_text_not_the_color_codes()
    {
        var lines = new TextTable("a", "b").AddRow(new Styled("x", TextStyle.Red), "yy").Lines(terminal: true, colors: true).ToList();

        lines[0].ShouldBe("┌───┬────┐");
        lines[1].ShouldBe("│ \e[1ma\e[0m │ \e[1mb\e[0m  │");
        lines[3].ShouldBe("│ \e[31mx\e[0m │ yy │");
        lines[4].ShouldBe("└───┴────┘");
    }

    [Fact(Timeout = 60_000)]
    public async Task On_a_terminal_status_draws_a_box_table_in_color_and_NO_COLOR_turns_color_off()
    {
        using var dir = new TempDirectory();
        var idle = TestService.FreePort();
        var manifest = dir.Write("pbdeploy.json", $$"""{ "services": { "idle": { "port": {{idle}}, "start": "true" } } }""");

        var colored = await InTerminalAsync(dir, $"status --manifest {manifest}");
        var plain = await InTerminalAsync(dir, $"status --manifest {manifest}", noColor: true);

        colored.ShouldContain("┌─────────┬");
        colored.ShouldContain("\e[90mstopped\e[0m");
        plain.ShouldContain("┌─────────┬");
        plain.ShouldContain("│ stopped │");
        plain.ShouldNotContain("\e[9");
    }

    [Fact(Timeout = 60_000)]
    public async Task On_a_terminal_a_deploy_spins_while_it_waits_and_gives_the_cursor_back()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{port}}, "start": "sleep 0.5; exec {{TestService.Python}} {{TestService.Script}} --port {port}", "daemonizes": false } } }
            """);

        var deploy = await InTerminalAsync(dir, $"--manifest {manifest}");
        var stop = await InTerminalAsync(dir, $"stop --manifest {manifest}");

        deploy.ShouldContain("\e[?25l"); // cursor hidden while spinning
        deploy.ShouldContain("web: waiting for port");
        deploy.ShouldContain("\e[1mweb\e[0m: \e[32mstarted, pid");
        deploy.LastIndexOf("\e[?25h", StringComparison.Ordinal).ShouldBeGreaterThan(deploy.LastIndexOf("\e[?25l", StringComparison.Ordinal), "the cursor is shown again at the end");
        deploy.ShouldContain("deploy done in");
        stop.ShouldContain("\e[32mstopped, pid");
        TestService.IsFree(port).ShouldBeTrue();
    }

    /// <summary>Runs the real tool under util-linux's <c>script</c>, so that its stdout is a pseudo-terminal; returns what the terminal got.</summary>
    private static async Task<string> InTerminalAsync(TempDirectory dir, string arguments, bool noColor = false)
    {
        var typescript = dir.Combine($"typescript-{Guid.NewGuid():N}");
        var result = await TestProgram.RunAsync(
            "script",
            ["-q", "-e", "-c", $"dotnet {Pbdeploy.ToolDll} {arguments} </dev/null", typescript],
            TimeSpan.FromSeconds(50),
            dir.Path,
            new Dictionary<string, string?> { ["TERM"] = "xterm", ["NO_COLOR"] = noColor ? "1" : null });
        result.ExitCode.ShouldBe(0, File.ReadAllText(typescript));
        return File.ReadAllText(typescript);
    }
}
