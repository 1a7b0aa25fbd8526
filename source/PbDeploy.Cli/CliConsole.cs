using Spectre.Console;

namespace PbDeploy.Cli;

/// <summary>Where the CLI writes: results to stdout (a Spectre console), errors and warnings to stderr as one line each.</summary>
internal sealed class CliConsole
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly Lazy<IAnsiConsole> _out;
    private (string Line, bool ToStderr)? _announcement;

    public CliConsole(TextWriter stdout, TextWriter stderr)
    {
        _stdout = stdout;
        _stderr = stderr;
        // Created on first use: `--version`, `status --json` and errors never pay for Spectre's start-up.
        _out = new Lazy<IAnsiConsole>(() => Create(stdout));
    }

    /// <summary>Rich output for people.</summary>
    public IAnsiConsole Out
    {
        get
        {
            FlushAnnouncement();
            return _out.Value;
        }
    }

    /// <summary>Raw stdout, for machine-readable output.</summary>
    public TextWriter Writer
    {
        get
        {
            FlushAnnouncement();
            return _stdout;
        }
    }

    /// <summary>Whether stdout is a terminal.</summary>
    public bool IsTerminal => _out.Value.Profile.Capabilities.Interactive;

    private static IAnsiConsole Create(TextWriter stdout)
    {
        var interactive = (stdout == Console.Out || (stdout is GuardedWriter guarded && guarded.Inner == Console.Out)) && !Console.IsOutputRedirected;
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

    /// <summary>
    /// A line that heads the output (which manifest a run uses): written just before the first output, on stdout or,
    /// when stdout is for machines, on stderr. A run that fails before any output says it in its error line instead.
    /// </summary>
    public void Announce(string line, bool toStderr) => _announcement = (line, toStderr);

    public void Error(string message) => _stderr.WriteLine($"pbdeploy: error: {message}");

    /// <summary>A line for people that is neither an error nor a warning, on stderr: <c>pbdeploy: SIGHUP received: ...</c>.</summary>
    public void Note(string message) => _stderr.WriteLine($"pbdeploy: {message}");

    public void Warning(string message) => _stderr.WriteLine($"pbdeploy: warning: {message}");

    private void FlushAnnouncement()
    {
        if (_announcement is not { } announcement)
        {
            return;
        }

        _announcement = null;
        if (announcement.ToStderr)
        {
            _stderr.WriteLine($"pbdeploy: {announcement.Line}");
        }
        else
        {
            _stdout.WriteLine(announcement.Line);
        }
    }
}
