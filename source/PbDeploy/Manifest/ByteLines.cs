using System.Text;

namespace PbDeploy.Manifest;

/// <summary>
/// Turns a byte offset in a UTF-8 file into its 1-based line and column. The column counts UTF-16 characters, as
/// editors and every earlier message do, so that a line with "café" before the value is not off by one.
/// </summary>
internal sealed class ByteLines
{
    private readonly byte[] _bytes;
    private readonly int _start;
    private readonly int _length;
    private readonly List<int> _lineStarts = [0];

    /// <param name="bytes">The file.</param>
    /// <param name="start">Where the text starts (after a byte order mark): offsets are relative to it.</param>
    public ByteLines(byte[] bytes, int start)
    {
        _bytes = bytes;
        _start = start;
        _length = bytes.Length - start;
        var span = bytes.AsSpan(start);
        for (var i = span.IndexOf((byte)'\n'); i >= 0;)
        {
            _lineStarts.Add(i + 1);
            var next = span[(i + 1)..].IndexOf((byte)'\n');
            i = next < 0 ? -1 : i + 1 + next;
        }
    }

    // The last offset located, and its line and column: tokens come in file order, so the next column is counted on
    // from there, and a long line (a minified manifest) is not read again from its start for every token.
    private int _lastOffset;
    private int _lastLine;
    private int _lastColumn;

    public SourceLocation Locate(string path, long offset)
    {
        var at = (int)Math.Clamp(offset, 0, _length);
        var line = _lineStarts.BinarySearch(at);
        if (line < 0)
        {
            line = ~line - 1;
        }

        var from = line == _lastLine && at >= _lastOffset ? _lastOffset : _lineStarts[line];
        var column = from == _lastOffset && line == _lastLine ? _lastColumn : 0;
        var between = _bytes.AsSpan(_start + from, at - from);
        column += Ascii.IsValid(between) ? between.Length : Encoding.UTF8.GetCharCount(between);
        (_lastOffset, _lastLine, _lastColumn) = (at, line, column);
        return new SourceLocation(path, line + 1, column + 1);
    }
}
