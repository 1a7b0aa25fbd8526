using Spectre.Console;

namespace PbDeploy.Cli;

/// <summary>Where the CLI writes: results to stdout (a Spectre console), errors and warnings to stderr as one line each.</summary>
internal sealed class CliConsole
{
    private readonly TextWriter _stderr;

    public CliConsole(TextWriter stdout, TextWriter stderr)
    {
        Writer = stdout;
        _stderr = stderr;
        var interactive = stdout == Console.Out && !Console.IsOutputRedirected;
        Out = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            // Not a terminal (a CI log, a file): never wrap, so each event stays one line that grep and people can read whole.
            Out.Profile.Width = 32_767;
        }
    }

    /// <summary>Rich output for people.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Raw stdout, for machine-readable output.</summary>
    public TextWriter Writer { get; }

    /// <summary>Whether stdout is a terminal.</summary>
    public bool IsTerminal => Out.Profile.Capabilities.Interactive;

    public void Error(string message) => _stderr.WriteLine($"pbdeploy: error: {message}");

    public void Warning(string message) => _stderr.WriteLine($"pbdeploy: warning: {message}");
}
