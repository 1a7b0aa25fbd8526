using System.Text;

namespace PbDeploy.Cli.Output;

/// <summary>
/// A table of a few columns: ASCII where the output is a file or a pipe (<c>+---+</c>, <c>| a |</c>: grep and CI logs
/// read it whole), box-drawing lines on a terminal. Cells are never wrapped.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<Styled[]> _rows = [];

    public TextTable AddRow(params Styled[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {headers.Length} columns", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    /// <summary>The table's lines, without line ends.</summary>
    public IEnumerable<string> Lines(bool terminal, bool colors)
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Text.Length).Append(h.Length).Max()).ToArray();
        string Rule(char left, char middle, char right, char line) =>
            left + string.Join(middle, widths.Select(w => new string(line, w + 2))) + right;
        string Row(IReadOnlyList<Styled> cells, string bar)
        {
            var text = new StringBuilder(bar);
            for (var i = 0; i < cells.Count; i++)
            {
                _ = text.Append(' ').Append(cells[i].Render(colors)).Append(' ', widths[i] - cells[i].Text.Length + 1).Append(bar);
            }

            return text.ToString();
        }

        var header = headers.Select(h => new Styled(h, TextStyle.Bold)).ToArray();
        if (terminal)
        {
            yield return Rule('┌', '┬', '┐', '─');
            yield return Row(header, "│");
            yield return Rule('├', '┼', '┤', '─');
            foreach (var row in _rows)
            {
                yield return Row(row, "│");
            }

            yield return Rule('└', '┴', '┘', '─');
            yield break;
        }

        // As the tables pbdeploy printed before: one rule above and below, a ruled line under the header.
        var width = widths.Sum() + (3 * widths.Length) + 1;
        var edge = "+" + new string('-', width - 2) + "+";
        yield return edge;
        yield return Row(header, "|");
        yield return Rule('|', '+', '|', '-');
        foreach (var row in _rows)
        {
            yield return Row(row, "|");
        }

        yield return edge;
    }
}
