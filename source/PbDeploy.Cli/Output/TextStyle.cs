namespace PbDeploy.Cli.Output;

/// <summary>How a piece of text is shown on a terminal that takes colors; plain everywhere else.</summary>
internal enum TextStyle
{
    Plain,
    Bold,
    Grey,
    Green,
    Red,
    Yellow,
}

/// <summary>A piece of a line with its style.</summary>
internal readonly record struct Styled(string Text, TextStyle Style = TextStyle.Plain)
{
    /// <summary>The text as shown: every control character written out (<see cref="TerminalText.Printable"/>), so only pbdeploy's own styles reach the terminal.</summary>
    public string Text { get; init; } = TerminalText.Printable(Text);

    public static implicit operator Styled(string text) => new(text);

    /// <summary>The ANSI SGR sequence that starts <paramref name="style"/> (empty for plain).</summary>
    public static string Start(TextStyle style) => style switch
    {
        TextStyle.Bold => "\e[1m",
        TextStyle.Grey => "\e[90m",
        TextStyle.Green => "\e[32m",
        TextStyle.Red => "\e[31m",
        TextStyle.Yellow => "\e[33m",
        _ => "",
    };

    /// <summary>The text, wrapped in its style's sequences when <paramref name="colors"/>.</summary>
    public string Render(bool colors) => colors && Style != TextStyle.Plain ? $"{Start(Style)}{Text}\e[0m" : Text;
}

/// <summary>
/// Text from elsewhere (a command's output, a remote host's events and lines) made harmless for a terminal: a control
/// character would let it move the cursor, overwrite lines (<c>\r</c>), set the clipboard (OSC 52) or the title.
/// </summary>
internal static class TerminalText
{
    /// <summary>
    /// <paramref name="text"/> with each C0 and C1 control character but tab, DEL, and each bidirectional override
    /// written out as an escape (<c>\e</c>, <c>\r</c>, <c>\x07</c>, <c>\u202E</c>); the text itself when it has none.
    /// </summary>
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(Unsafe))
        {
            return text ?? "";
        }

        var shown = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = !Unsafe(c) ? shown.Append(c) : c switch
            {
                '\e' => shown.Append("\\e"),
                '\r' => shown.Append("\\r"),
                '\n' => shown.Append("\\n"),
                '\b' => shown.Append("\\b"),
                < '\u0100' => shown.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ => shown.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
            };
        }

        return shown.ToString();
    }

    private static bool Unsafe(char c) =>
        (char.IsControl(c) && c != '\t') || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
