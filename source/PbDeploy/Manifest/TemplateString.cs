namespace PbDeploy.Manifest;

/// <summary>
/// A string of the manifest that is a template (a command, <c>cwd</c>, <c>pidfile</c>, <c>log</c>, a variable): its
/// decoded text and where it is written, so that an error at any character of it names that character's line and
/// column in the file, escapes such as <c>\"</c> counted as written.
/// </summary>
public sealed class TemplateString
{
    // The text between the quotes as written in the file, when it has escapes; null when it is Text itself.
    private readonly string? _raw;

    // Where every character is placed, when not counted from Location: earlier versions placed a string over several
    // lines, or in single quotes, at its closing quote.
    private readonly SourceLocation? _everyCharacterAt;

    /// <summary>A template that starts at <paramref name="location"/>, its opening quote (line 0 when unknown).</summary>
    public TemplateString(string text, SourceLocation location)
        : this(text, location, raw: null)
    {
    }

    internal TemplateString(string text, SourceLocation location, string? raw, SourceLocation? everyCharacterAt = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        Location = location;
        _raw = raw;
        _everyCharacterAt = everyCharacterAt;
    }

    /// <summary>The decoded text.</summary>
    public string Text { get; }

    /// <summary>Where the string is written: its opening quote.</summary>
    public SourceLocation Location { get; }

    /// <summary>Where the character at <paramref name="offset"/> of <see cref="Text"/> is written.</summary>
    public SourceLocation Locate(int offset)
    {
        if (_everyCharacterAt is { } pinned)
        {
            return pinned;
        }

        if (Location.Line <= 0)
        {
            return Location;
        }

        // Otherwise the string holds no raw line break: all of it is on the line of its opening quote.
        var raw = _raw;
        if (raw is null)
        {
            return Location with { Column = Location.Column + 1 + offset };
        }

        var at = 0;
        for (var decoded = 0; decoded < offset && at < raw.Length; decoded++)
        {
            at += raw[at] != '\\' ? 1 : at + 1 < raw.Length && raw[at + 1] == 'u' ? 6 : 2;
        }

        return Location with { Column = Location.Column + 1 + at };
    }

    /// <summary>The text.</summary>
    public override string ToString() => Text;
}
