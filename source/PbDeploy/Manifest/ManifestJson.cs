using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace PbDeploy.Manifest;

/// <summary>
/// The manifest's text: decodes the file, parses it with LINQ to JSON (no reflection: NativeAOT and trim safe),
/// turns every reader error into a one-line <see cref="ManifestException"/>, and maps tokens to the line and column
/// where they start.
/// </summary>
internal sealed partial class ManifestJson
{
    private static readonly JsonLoadSettings LoadSettings = new()
    {
        LineInfoHandling = LineInfoHandling.Load,
        DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
        CommentHandling = CommentHandling.Ignore,
    };

    private readonly string[] _lines;

    private ManifestJson(string path, string text, JObject root)
    {
        Path = path;
        _lines = SplitLines(text);
        Root = root;
    }

    /// <summary>The manifest's full path, the file of every location.</summary>
    public string Path { get; }

    /// <summary>The top-level object, with line info.</summary>
    public JObject Root { get; }

    /// <summary>Decodes and parses <paramref name="bytes"/>, the content of the file at <paramref name="path"/>.</summary>
    /// <exception cref="ManifestException">The bytes are not UTF-8, not JSON, or not a JSON object.</exception>
    public static ManifestJson Parse(string path, byte[] bytes)
    {
        var text = Decode(path, bytes);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ManifestException(
                new SourceLocation(path, 1, 1),
                "the file is empty; a manifest is a JSON object with at least \"services\"");
        }

        var lines = SplitLines(text);
        using var stringReader = new StringReader(text);
        using var reader = new JsonTextReader(stringReader)
        {
            // Strings stay strings: "2024-01-01" is a template variable, not a date.
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
        };
        JToken token;
        try
        {
            token = JToken.ReadFrom(reader, LoadSettings);
            while (reader.Read())
            {
                if (reader.TokenType != JsonToken.Comment)
                {
                    throw new ManifestException(
                        new SourceLocation(path, reader.LineNumber, reader.LinePosition),
                        "invalid JSON: unexpected text after the end of the top-level object");
                }
            }
        }
        catch (JsonReaderException e)
        {
            throw FromReaderException(path, lines, e);
        }

        if (token is not JObject root)
        {
            var where = (IJsonLineInfo)token;
            throw new ManifestException(
                new SourceLocation(path, where.LineNumber, where.LinePosition),
                $"the manifest must be a JSON object {{ \"services\": {{ ... }} }}, got {Describe(token)}");
        }

        CheckNumbers(path, lines, root);
        return new ManifestJson(path, text, root);
    }

    /// <summary>
    /// Refuses numbers that are not JSON but that Newtonsoft's lenient reader takes: <c>0100</c> (read as octal 64),
    /// <c>0x1F90</c>, <c>+80</c>, <c>.5</c>, <c>NaN</c>, <c>Infinity</c>. It checks the number's text in the file, the
    /// first bad one in file order.
    /// </summary>
    private static void CheckNumbers(string path, string[] lines, JObject root)
    {
        foreach (var token in root.DescendantsAndSelf())
        {
            if (token.Type is not (JTokenType.Integer or JTokenType.Float) || !((IJsonLineInfo)token).HasLineInfo())
            {
                continue;
            }

            var info = (IJsonLineInfo)token;
            var column = StartColumn(lines, info.LineNumber, info.LinePosition);
            if (info.LineNumber < 1 || info.LineNumber > lines.Length || column < 1 || column > lines[info.LineNumber - 1].Length)
            {
                continue;
            }

            var text = lines[info.LineNumber - 1];
            var end = column - 1;
            while (end < text.Length && !IsDelimiter(text[end]) && text[end] != '/')
            {
                end++;
            }

            var raw = text[(column - 1)..end];
            if (!StrictNumber().IsMatch(raw))
            {
                throw new ManifestException(new SourceLocation(path, info.LineNumber, column), $"invalid JSON: {raw} is not a JSON number; {HowToWrite(raw, token)}");
            }
        }
    }

    private static string HowToWrite(string raw, JToken token)
    {
        var unsigned = raw.TrimStart('-', '+');
        var sign = raw.StartsWith('-') ? "-" : "";
        if (unsigned.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return $"JSON has no hexadecimal, write it in decimal: {FormatNumber(token)}";
        }

        if (unsigned.Length > 1 && unsigned[0] == '0' && char.IsAsciiDigit(unsigned[1]))
        {
            var trimmed = unsigned.TrimStart('0');
            return $"JSON has no leading zeros (nor octal), write {sign}{(trimmed.Length == 0 || !char.IsAsciiDigit(trimmed[0]) ? "0" + trimmed : trimmed)}";
        }

        if (raw.StartsWith('+'))
        {
            return $"JSON has no leading '+', write {unsigned}";
        }

        if (unsigned.StartsWith('.'))
        {
            return $"a JSON number starts with a digit, write {sign}0{unsigned}";
        }

        if (unsigned.EndsWith('.'))
        {
            return $"a JSON number has digits after its '.', write {sign}{unsigned.TrimEnd('.')}";
        }

        return "write a decimal number such as 8080 or 1.5";
    }

    /// <summary>Where <paramref name="token"/> starts: a property's key, a value's first character.</summary>
    public SourceLocation At(JToken token)
    {
        var info = (IJsonLineInfo)token;
        if (!info.HasLineInfo())
        {
            return new SourceLocation(Path, 0, 0);
        }

        var line = info.LineNumber;
        var position = info.LinePosition;
        // Newtonsoft puts containers at their opening bracket, but a property after its colon and a scalar at its
        // last character; walk back to where the key or the scalar starts.
        var column = token is JContainer and not JProperty ? position : StartColumn(_lines, line, position);
        return new SourceLocation(Path, line, column);
    }

    /// <summary>A value as a message shows it: <c>70000</c>, <c>"abc"</c>, <c>true</c>, <c>null</c>, <c>an array</c>.</summary>
    public static string Describe(JToken token) => token.Type switch
    {
        JTokenType.Object => "an object",
        JTokenType.Array => "an array",
        JTokenType.Null or JTokenType.Undefined => "null",
        JTokenType.String => Quote((string)token!),
        JTokenType.Boolean => (bool)token ? "true" : "false",
        // 1e3 is a JSON number with a fraction part (a float): shown as 1000.0, so "an integer, got 1000" never happens.
        JTokenType.Float => FormatNumber(token) is var f && f.All(c => char.IsAsciiDigit(c) || c == '-') ? f + ".0" : f,
        _ => token.ToString(Formatting.None),
    };

    /// <summary>A JSON number as invariant text: <c>8080</c>, <c>1.5</c>.</summary>
    public static string FormatNumber(JToken token) => ((JValue)token).Value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other?.ToString() ?? "null",
    };

    /// <summary>A string in double quotes, shortened when long, for messages.</summary>
    public static string Quote(string value)
    {
        const int Max = 60;
        var shown = value.Length > Max ? value[..Max] + "..." : value;
        return "\"" + shown.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal)
            .Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
    }

    private static string Decode(string path, byte[] bytes)
    {
        ReadOnlySpan<byte> span = bytes;
        if (span.Length >= 2 && ((span[0] == 0xFF && span[1] == 0xFE) || (span[0] == 0xFE && span[1] == 0xFF)))
        {
            throw new ManifestException(
                new SourceLocation(path, 1, 1),
                "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8");
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        var chars = new char[span.Length];
        var status = System.Text.Unicode.Utf8.ToUtf16(
            span, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
        {
            return new string(chars, 0, charsWritten);
        }

        // The valid prefix tells the line and column of the first bad byte.
        var prefix = new string(chars, 0, charsWritten);
        var line = 1 + prefix.Count(c => c == '\n');
        var column = charsWritten - (prefix.LastIndexOf('\n') + 1) + 1;
        var detail = status == OperationStatus.NeedMoreData
            ? "the file ends inside a UTF-8 character"
            : string.Create(CultureInfo.InvariantCulture, $"byte 0x{span[bytesRead]:X2} is not valid UTF-8");
        throw new ManifestException(new SourceLocation(path, line, column), $"{detail}; save the file as UTF-8");
    }

    private static ManifestException FromReaderException(string path, string[] lines, JsonReaderException e)
    {
        var message = e.Message;
        var at = message.LastIndexOf(" Path '", StringComparison.Ordinal);
        if (at >= 0)
        {
            message = message[..at];
        }

        var line = e.LineNumber;
        // For every other error Newtonsoft's position is just before the offending character.
        var column = e.LinePosition + 1;
        string problem;
        Match m;
        if ((m = DuplicateKey().Match(message)).Success)
        {
            column = StartColumn(lines, line, e.LinePosition);
            var parent = e.Path is { } p && p.LastIndexOf('.') is var dot and >= 0 ? p[..dot] : null;
            problem = parent is null or ""
                ? $"duplicate key '{m.Groups[1].Value}'; each key may appear only once in an object"
                : $"{parent}: duplicate key '{m.Groups[1].Value}'; each key may appear only once in an object";
        }
        else if ((m = ExpectedColon().Match(message)).Success)
        {
            problem = $"invalid JSON: expected ':' after the key, got '{m.Groups[1].Value}'";
        }
        else if ((m = UnexpectedValue().Match(message)).Success)
        {
            problem = $"invalid JSON: unexpected '{m.Groups[1].Value}' where a value was expected";
        }
        else if ((m = AfterValue().Match(message)).Success)
        {
            problem = $"invalid JSON: unexpected '{m.Groups[1].Value}' after a value; is a ',' missing?";
        }
        else if ((m = AdditionalText().Match(message)).Success)
        {
            problem = $"invalid JSON: unexpected '{m.Groups[1].Value}' after the end of the top-level object";
        }
        else if ((m = WrongCloser().Match(message)).Success)
        {
            column = e.LinePosition; // Here Newtonsoft has already read the closer.
            var (got, want) = m.Groups[1].Value == "EndArray" ? ("]", "}") : ("}", "]");
            problem = $"invalid JSON: unexpected '{got}'; this {(want == "}" ? "object" : "array")} is closed with '{want}'";
        }
        else if ((m = BadKey().Match(message)).Success)
        {
            problem = $"invalid JSON: unexpected '{m.Groups[1].Value}' where a key in double quotes was expected";
        }
        else if (message.StartsWith("Unexpected end", StringComparison.Ordinal)
                 || message.StartsWith("Unterminated string", StringComparison.Ordinal))
        {
            problem = "invalid JSON: the file ends early; a closing '}', ']' or '\"' is missing";
        }
        else if (message.Contains("MaxDepth", StringComparison.Ordinal))
        {
            problem = "arrays and objects are nested more than 64 deep; a manifest needs only a few levels";
        }
        else if (message.StartsWith("Error reading JToken", StringComparison.Ordinal))
        {
            problem = "the file has no JSON, only comments; a manifest is a JSON object with at least \"services\"";
        }
        else
        {
            problem = "invalid JSON: " + message.TrimEnd('.');
        }

        if (line <= 0)
        {
            (line, column) = (1, 1);
        }

        return new ManifestException(new SourceLocation(path, line, column), problem);
    }

    /// <summary>
    /// The column where the key or scalar that ends at Newtonsoft's <paramref name="position"/> starts: back over
    /// a colon and blanks (a key), then over a quoted string or a bare word.
    /// </summary>
    private static int StartColumn(string[] lines, int line, int position)
    {
        if (line < 1 || line > lines.Length)
        {
            return position;
        }

        var text = lines[line - 1];
        var i = Math.Min(position, text.Length) - 1;
        while (i >= 0 && (text[i] == ':' || char.IsWhiteSpace(text[i])))
        {
            i--;
        }

        if (i < 0)
        {
            return position;
        }

        var quote = text[i];
        if (quote is '"' or '\'')
        {
            for (var j = i - 1; j >= 0; j--)
            {
                if (text[j] == quote && !IsEscaped(text, j))
                {
                    return j + 1;
                }
            }

            return position; // A string that spans lines: keep Newtonsoft's position.
        }

        while (i > 0 && !IsDelimiter(text[i - 1]))
        {
            i--;
        }

        return i + 1;
    }

    private static bool IsEscaped(string text, int index)
    {
        var backslashes = 0;
        for (var k = index - 1; k >= 0 && text[k] == '\\'; k--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }

    private static bool IsDelimiter(char c) => char.IsWhiteSpace(c) || c is '{' or '}' or '[' or ']' or ',' or ':';

    private static string[] SplitLines(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = lines[i].TrimEnd('\r');
        }

        return lines;
    }

    [GeneratedRegex("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex StrictNumber();

    [GeneratedRegex("^Property with the name '(.*)' already exists")]
    private static partial Regex DuplicateKey();

    [GeneratedRegex("^Invalid character after parsing property name\\. Expected ':' but got: (.+?)\\.?$")]
    private static partial Regex ExpectedColon();

    [GeneratedRegex("^Unexpected character encountered while parsing value: (.+?)\\.?$")]
    private static partial Regex UnexpectedValue();

    [GeneratedRegex("^After parsing a value an unexpected character was encountered: (.+?)\\.?$")]
    private static partial Regex AfterValue();

    [GeneratedRegex("^Additional text encountered after finished reading JSON content: (.+?)\\.?$")]
    private static partial Regex AdditionalText();

    [GeneratedRegex("^JsonToken (EndArray|EndObject) is not valid for closing JsonType")]
    private static partial Regex WrongCloser();

    [GeneratedRegex("^Invalid property identifier character: (.+?)\\.?$")]
    private static partial Regex BadKey();
}
