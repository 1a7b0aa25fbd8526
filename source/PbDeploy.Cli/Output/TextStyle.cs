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
    /// <summary>The text as shown: every control character written out (<see cref="PbDeploy.Deployment.DeployText.Printable"/>), so only pbdeploy's own styles reach the terminal.</summary>
    public string Text { get; init; } = PbDeploy.Deployment.DeployText.Printable(Text);

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
