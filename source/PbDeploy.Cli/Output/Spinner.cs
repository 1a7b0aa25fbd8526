namespace PbDeploy.Cli.Output;

/// <summary>
/// A spinner on a terminal's last line, redrawn ten times a second with what is awaited; lines written meanwhile go
/// above it. The cursor is hidden while it spins and shown again when it is disposed, whatever ended the work.
/// </summary>
internal sealed class Spinner : IDisposable
{
    private const string Frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    private readonly TextWriter _out;
    private readonly bool _colors;
    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private string _status;
    private int _frame;
    private bool _disposed;

    public Spinner(TextWriter output, string status, bool colors)
    {
        _out = output;
        _status = status;
        _colors = colors;
        lock (_lock)
        {
            _out.Write("\e[?25l");
            Draw();
        }

        _timer = new Timer(_ => Tick(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>What is awaited now.</summary>
    public void Status(string text)
    {
        lock (_lock)
        {
            _status = text;
        }
    }

    /// <summary>A line above the spinner: the spinner's line is cleared, the line written, the spinner drawn again under it.</summary>
    public void WriteAbove(string line)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                _out.WriteLine(line);
                return;
            }

            _out.Write("\r\e[K");
            _out.WriteLine(line);
            Draw();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _out.Write("\r\e[K\e[?25h");
            _out.Flush();
        }
    }

    private void Tick()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _frame = (_frame + 1) % Frames.Length;
                Draw();
            }
        }
    }

    /// <summary>The spinner's line, cut to the terminal's width so that a carriage return always goes back to its start.</summary>
    private void Draw()
    {
        var width = Width() - 3;
        var status = _status.Length > width ? _status[..Math.Max(0, width - 1)] + "…" : _status;
        var frame = Frames[_frame].ToString();
        _out.Write($"\r{(_colors ? $"{Styled.Start(TextStyle.Green)}{frame}\e[0m" : frame)} {status}\e[K");
        _out.Flush();
    }

    private static int Width()
    {
        try
        {
            return Console.WindowWidth is > 10 and var width ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
