using Spectre.Console;

namespace PbDeploy.Cli;

/// <summary>Where the CLI writes: results to stdout (a Spectre console), errors and warnings to stderr as one line each.</summary>
internal sealed class CliConsole
{
    private readonly TextWriter _stderr;
    private readonly Lazy<IAnsiConsole> _out;

    public CliConsole(TextWriter stdout, TextWriter stderr)
    {
        Writer = stdout;
        _stderr = stderr;
        // Created on first use: `--version`, `status --json` and errors never pay for Spectre's start-up.
        _out = new Lazy<IAnsiConsole>(() => Create(stdout));
    }

    /// <summary>Rich output for people.</summary>
    public IAnsiConsole Out => _out.Value;

    /// <summary>Raw stdout, for machine-readable output.</summary>
    public TextWriter Writer { get; }

    /// <summary>Whether stdout is a terminal.</summary>
    public bool IsTerminal => Out.Profile.Capabilities.Interactive;

    private static IAnsiConsole Create(TextWriter stdout)
    {
        var interactive = stdout == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            // Not a terminal (a CI log, a file): never wrap, so each event stays one line that grep and people can read whole.
            console.Profile.Width = 32_767;
        }

        return console;
    }

    public void Error(string message) => _stderr.WriteLine($"pbdeploy: error: {message}");

    public void Warning(string message) => _stderr.WriteLine($"pbdeploy: warning: {message}");
}
