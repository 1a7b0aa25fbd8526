using PbDeploy.Cli.Output;

namespace PbDeploy.Cli;

/// <summary>
/// Where the CLI writes: results to stdout, errors and warnings to stderr as one line each. On a terminal, stdout has
/// colors (unless <c>NO_COLOR</c> is set or <c>TERM</c> is <c>dumb</c>) and can show a spinner on its last line; anywhere
/// else it is plain text, one event a line, never wrapped.
/// </summary>
internal sealed class CliConsole
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly Lazy<bool> _terminal;
    private readonly Lazy<bool> _colors;
    private (string Line, bool ToStderr)? _announcement;
    private Spinner? _spinner;

    public CliConsole(TextWriter stdout, TextWriter stderr)
    {
        _stdout = stdout;
        _stderr = stderr;
        _terminal = new Lazy<bool>(() =>
            (stdout == Console.Out || (stdout is GuardedWriter guarded && guarded.Inner == Console.Out)) && !Console.IsOutputRedirected);
        _colors = new Lazy<bool>(() => IsTerminal
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            && Environment.GetEnvironmentVariable("TERM") is not "dumb");
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
    public bool IsTerminal => _terminal.Value;

    /// <summary>Whether stdout takes colors: a terminal, no <c>NO_COLOR</c>, a <c>TERM</c> other than <c>dumb</c>.</summary>
    public bool Colors => _colors.Value;

    /// <summary>One line for people on stdout, made of styled pieces (above the spinner, when one runs).</summary>
    /// <remarks>Each piece's control characters are written out (<see cref="PbDeploy.Deployment.DeployText.Printable"/>): only pbdeploy's own styles reach the terminal.</remarks>
    public void Line(params Styled[] pieces)
    {
        var colors = Colors;
        WriteLine(string.Concat(pieces.Select(p => p.Render(colors))));
    }

    /// <summary>A table on stdout: ASCII off a terminal, box-drawing lines on one.</summary>
    public void Table(TextTable table)
    {
        foreach (var line in table.Lines(IsTerminal, Colors))
        {
            WriteLine(line);
        }
    }

    private void WriteLine(string text)
    {
        FlushAnnouncement();
        if (_spinner is { } spinner)
        {
            spinner.WriteAbove(text);
        }
        else
        {
            _stdout.WriteLine(text);
        }
    }

    /// <summary>Runs <paramref name="work"/> with a spinner on stdout's last line; <see cref="Status"/> says what it waits for.</summary>
    public async Task<T> WithSpinnerAsync<T>(string title, Func<Task<T>> work)
    {
        FlushAnnouncement();
        using var spinner = new Spinner(_stdout, title, Colors);
        _spinner = spinner;
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            _spinner = null;
        }
    }

    /// <summary>What the spinner shows, when one runs.</summary>
    public void Status(string text) => _spinner?.Status(PbDeploy.Deployment.DeployText.Printable(text));

    /// <summary>
    /// A line that heads the output (which manifest a run uses): written just before the first output, on stdout or,
    /// when stdout is for machines, on stderr. A run that fails before any output says it in its error line instead.
    /// </summary>
    public void Announce(string line, bool toStderr) => _announcement = (line, toStderr);

    public void Error(string message) => _stderr.WriteLine($"pbdeploy: error: {PbDeploy.Deployment.DeployText.Printable(message)}");

    /// <summary>A line for people that is neither an error nor a warning, on stderr: <c>pbdeploy: SIGHUP received: ...</c>.</summary>
    public void Note(string message) => _stderr.WriteLine($"pbdeploy: {PbDeploy.Deployment.DeployText.Printable(message)}");

    public void Warning(string message) => _stderr.WriteLine($"pbdeploy: warning: {PbDeploy.Deployment.DeployText.Printable(message)}");

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
