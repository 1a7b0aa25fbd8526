using System.Globalization;
using System.Text;

namespace PbDeploy.Manifest;

/// <summary>
/// Reads a manifest that <see cref="System.Text.Json.Utf8JsonReader"/> refused: it either finds the first error and says
/// it the way PbDeploy always has (the reader's own messages name bytes and states, not what to change), or reads what
/// the loader has always accepted beyond JSON (a missing value as null, <c>undefined</c>, single quotes, keys without
/// quotes, raw tabs in strings). It runs only on such files, so the usual load pays nothing for it. Keys are unique
/// per object and nesting is at most <see cref="MaxDepth"/> levels; a number JSON does not have (<c>0100</c>,
/// <c>0x1F90</c>, <c>.5</c>, <c>NaN</c>) is reported after any syntax error, with how to write it.
/// </summary>
internal sealed class LenientJsonReader
{
    public const int MaxDepth = 64;

    private readonly string _path;
    private readonly string _text;
    private readonly List<int> _lineStarts = [0];
    private int _pos;
    private ManifestException? _badNumber;
    private bool _afterDocument;

    private LenientJsonReader(string path, string text)
    {
        _path = path;
        _text = text;
        for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1))
        {
            _lineStarts.Add(i + 1);
        }
    }

    /// <summary>The top-level value of <paramref name="text"/>, the content of the file at <paramref name="path"/>.</summary>
    /// <exception cref="ManifestException">The text is not what the loader accepts.</exception>
    public static ManifestValue Read(string path, string text)
    {
        var reader = new LenientJsonReader(path, text);
        var root = reader.Document();
        // A top-level value that is no container is refused as such, whatever it is.
        return reader._badNumber is { } badNumber && root.Kind is ManifestValueKind.Object or ManifestValueKind.Array ? throw badNumber : root;
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Current => _text[_pos];

    private ManifestValue Document()
    {
        SkipBlanks();
        if (AtEnd)
        {
            throw Error(_pos, "the file has no JSON, only comments; a manifest is a JSON object with at least \"services\"");
        }

        var start = _pos;
        var root = Value(0, []);
        if (root.Kind is not (ManifestValueKind.Object or ManifestValueKind.Array))
        {
            // Refused as such; the message has always placed a top-level value that is no container at its last character.
            root = ManifestValue.Relocated(root, Location(Math.Max(start, _pos - 1)));
        }

        _afterDocument = true;
        SkipBlanks();
        if (!AtEnd)
        {
            throw Error(_pos, $"invalid JSON: unexpected '{Current}' after the end of the top-level object");
        }

        return root;
    }

    private ManifestValue Value(int depth, List<object> path)
    {
        if (AtEnd)
        {
            throw EndsEarly();
        }

        var start = _pos;
        switch (Current)
        {
            case '{':
                return Object(depth + 1, path);
            case '[':
                return Array(depth + 1, path);
            case '"' or '\'':
                var (text, raw) = String();
                if (raw is not null && raw.Contains('\n', StringComparison.Ordinal))
                {
                    // A string over several lines (raw line breaks) has always been placed at its closing quote.
                    return ManifestValue.FromString(new TemplateString(text, Location(_pos - 1), raw, Location(_pos - 1)));
                }

                // Earlier versions placed an error in a string in single quotes at its closing quote.
                return ManifestValue.FromString(new TemplateString(text, Location(start), raw, _text[start] == '\'' ? Location(_pos - 1) : null));
            case 't':
                Literal("true", "boolean");
                return ManifestValue.FromBoolean(true, Location(start));
            case 'f':
                Literal("false", "boolean");
                return ManifestValue.FromBoolean(false, Location(start));
            case 'n':
                Literal("null", "null");
                return ManifestValue.Null(Location(start));
            case 'u':
                Literal("undefined", "undefined");
                return ManifestValue.Undefined(Location(start));
            case '-' or '.' or (>= '0' and <= '9') or 'N' or 'I':
                return ManifestValue.FromNumber(Number(), Location(start));
            default:
                throw Error(_pos, $"invalid JSON: unexpected '{Current}' where a value was expected");
        }
    }

    private ManifestValue Object(int depth, List<object> path)
    {
        var location = Location(_pos);
        CheckDepth(depth);
        _pos++;
        var properties = new List<ManifestProperty>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            SkipBlanks();
            if (AtEnd)
            {
                throw depth == 1 && properties.Count == 0
                    ? Error(_pos, "invalid JSON: Error reading JObject from JsonReader")
                    : EndsEarly();
            }

            if (Current == '}')
            {
                _pos++; // Also after a trailing comma, as the loader accepts.
                return ManifestValue.FromProperties(properties, location);
            }

            var keyStart = _pos;
            var name = Key();
            // Blanks only: a comment between a key and its colon has never been accepted.
            while (!AtEnd && char.IsWhiteSpace(Current))
            {
                _pos++;
            }

            if (AtEnd)
            {
                throw EndsEarly();
            }

            if (Current != ':')
            {
                throw Error(_pos, $"invalid JSON: expected ':' after the key, got '{Current}'");
            }

            // A key over several lines (raw line breaks) has always been placed at its colon.
            var keyLocation = _text.AsSpan(keyStart, _pos - keyStart).Contains('\n') ? Location(_pos) : Location(keyStart);
            _pos++;
            path.Add(name);
            if (!names.Add(name))
            {
                var full = PathText(path);
                var parent = full.LastIndexOf('.') is var dot and >= 0 ? full[..dot] : null;
                throw new ManifestException(keyLocation, parent is null or ""
                    ? $"duplicate key '{name}'; each key may appear only once in an object"
                    : $"{parent}: duplicate key '{name}'; each key may appear only once in an object");
            }

            SkipBlanks();
            if (!AtEnd && Current == ']')
            {
                throw Error(_pos, "invalid JSON: unexpected ']'; this object is closed with '}'");
            }

            var value = !AtEnd && Current == ',' ? Missing() : Value(depth, path);
            properties.Add(new ManifestProperty(name, keyLocation, value));
            path.RemoveAt(path.Count - 1);
            if (AfterItem('}'))
            {
                return ManifestValue.FromProperties(properties, location);
            }
        }
    }

    private ManifestValue Array(int depth, List<object> path)
    {
        var location = Location(_pos);
        CheckDepth(depth);
        _pos++;
        var items = new List<ManifestValue>();
        while (true)
        {
            SkipBlanks();
            if (AtEnd)
            {
                throw EndsEarly();
            }

            if (Current == ']')
            {
                _pos++; // Also after a trailing comma, as the loader accepts.
                return ManifestValue.FromItems(items, location);
            }

            path.Add(items.Count);
            items.Add(Current == ',' ? Missing() : Value(depth, path));
            path.RemoveAt(path.Count - 1);
            if (AfterItem(']'))
            {
                return ManifestValue.FromItems(items, location);
            }
        }
    }

    /// <summary>After a key's value or an element: true at the <paramref name="closer"/> of the container, false at a comma (either read).</summary>
    private bool AfterItem(char closer)
    {
        SkipBlanks();
        if (AtEnd)
        {
            throw EndsEarly();
        }

        var c = Current;
        if (c != ',' && c != closer)
        {
            throw c switch
            {
                ']' => Error(_pos, "invalid JSON: unexpected ']'; this object is closed with '}'"),
                '}' => Error(_pos, "invalid JSON: unexpected '}'; this array is closed with ']'"),
                _ => Error(_pos, $"invalid JSON: unexpected '{c}' after a value; is a ',' missing?"),
            };
        }

        _pos++;
        return c == closer;
    }

    /// <summary>
    /// A value left out before a comma (<c>"port": ,</c>, <c>[1,,2]</c>): null, placed where messages have always put
    /// it, at the start of what precedes the comma (the key, or the element before).
    /// </summary>
    private ManifestValue Missing()
    {
        var lineStart = LineStart(_pos);
        var i = _pos - 1;
        while (i >= lineStart && (_text[i] == ':' || char.IsWhiteSpace(_text[i])))
        {
            i--;
        }

        if (i < lineStart)
        {
            return ManifestValue.Undefined(Location(_pos));
        }

        if (_text[i] is '"' or '\'')
        {
            var quote = _text[i];
            for (var j = i - 1; j >= lineStart; j--)
            {
                if (_text[j] == quote && !IsEscaped(j))
                {
                    return ManifestValue.Undefined(Location(j));
                }
            }

            return ManifestValue.Undefined(Location(_pos));
        }

        while (i > lineStart && !IsSeparator(_text[i - 1]))
        {
            i--;
        }

        return ManifestValue.Undefined(Location(i));
    }

    private void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            // Just after the bracket that is one level too deep, where the message has always put it.
            throw Error(_pos + 1, "arrays and objects are nested more than 64 deep; a manifest needs only a few levels");
        }
    }

    /// <summary>A key: a string in double (or single) quotes, or a bare name of letters, digits, '_' and '$'.</summary>
    private string Key()
    {
        if (Current is '"' or '\'')
        {
            return String().Text;
        }

        if (!IsNameChar(Current))
        {
            throw Error(_pos, $"invalid JSON: unexpected '{Current}' where a key in double quotes was expected");
        }

        var start = _pos;
        while (!AtEnd && IsNameChar(Current))
        {
            _pos++;
        }

        if (AtEnd)
        {
            throw EndsEarly();
        }

        if (!char.IsWhiteSpace(Current) && Current != ':')
        {
            throw Error(_pos, $"invalid JSON: Invalid JavaScript property identifier character: {Current}".TrimEnd('.'));
        }

        return _text[start.._pos];
    }

    /// <summary>A quoted string: its text, and its text as written when that has escapes (else null).</summary>
    private (string Text, string? Raw) String()
    {
        var quote = Current;
        var start = ++_pos;
        var builder = new StringBuilder();
        var escaped = false;
        while (true)
        {
            if (AtEnd)
            {
                throw EndsEarly();
            }

            var c = Current;
            if (c == quote)
            {
                var raw = escaped ? _text[start.._pos] : null;
                _pos++;
                return (builder.ToString(), raw);
            }

            if (c != '\\')
            {
                escaped |= c == '\n';
                builder.Append(c);
                _pos++;
                continue;
            }

            escaped = true;
            if (_pos + 1 >= _text.Length)
            {
                _pos = _text.Length;
                throw EndsEarly();
            }

            var escape = _text[_pos + 1];
            switch (escape)
            {
                case '"' or '\'' or '\\' or '/':
                    builder.Append(escape);
                    break;
                case 'b':
                    builder.Append('\b');
                    break;
                case 'f':
                    builder.Append('\f');
                    break;
                case 'n':
                    builder.Append('\n');
                    break;
                case 'r':
                    builder.Append('\r');
                    break;
                case 't':
                    builder.Append('\t');
                    break;
                case 'u' when _pos + 6 <= _text.Length
                    && ushort.TryParse(_text.AsSpan(_pos + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    builder.Append((char)code);
                    _pos += 6;
                    continue;
                default:
                    throw Error(_pos + 2, $"invalid JSON: Bad JSON escape sequence: \\{escape}".TrimEnd('.'));
            }

            _pos += 2;
        }
    }

    /// <summary>A word such as <c>true</c>, which must end at a separator.</summary>
    private void Literal(string word, string what)
    {
        for (var i = 0; i < word.Length; i++)
        {
            if (_pos + i >= _text.Length)
            {
                _pos = _text.Length;
                throw EndsEarly();
            }

            if (_text[_pos + i] != word[i])
            {
                throw Error(_pos + i, $"invalid JSON: Error parsing {what} value");
            }
        }

        _pos += word.Length;
        if (!AtEnd && !IsValueEnd(Current))
        {
            throw Error(_pos, $"invalid JSON: Error parsing {what} value");
        }
    }

    /// <summary>A number as written; one JSON does not have is noted (the first one) and read on.</summary>
    private string Number()
    {
        var start = _pos;
        switch (Current)
        {
            case 'N':
                Literal("NaN", "NaN");
                break;
            case 'I':
                Literal("Infinity", "Infinity");
                break;
            case '-' when _pos + 1 < _text.Length && _text[_pos + 1] == 'I':
                Literal("-Infinity", "-Infinity");
                break;
            default:
                // The characters of any number a lenient reader took (hexadecimal included); anything else but a
                // separator right after it is an error there.
                while (!AtEnd && (char.IsAsciiHexDigit(Current) || Current is '-' or '+' or '.' or 'x' or 'X'))
                {
                    _pos++;
                }

                if (!AtEnd && !IsValueEnd(Current))
                {
                    throw Error(_pos, $"invalid JSON: Unexpected character encountered while parsing number: {Current}".TrimEnd('.'));
                }

                break;
        }

        var raw = _text[start.._pos];
        if (IsStrictNumber(raw))
        {
            return raw;
        }

        if (LenientValue(raw) is not { } value)
        {
            throw Error(_pos, $"invalid JSON: Input string '{raw}' is not a valid number");
        }

        _badNumber ??= Error(start, $"invalid JSON: {raw} is not a JSON number; {HowToWrite(raw, value)}");
        return value; // As the old reader took it; shown only when the whole file is this one value.
    }

    /// <summary>The value a lenient reader gave <paramref name="raw"/> (octal, hexadecimal, <c>.5</c>, <c>NaN</c>), or null.</summary>
    private static string? LenientValue(string raw)
    {
        if (raw is "NaN" or "Infinity" or "-Infinity")
        {
            return raw;
        }

        var negative = raw.StartsWith('-');
        var unsigned = negative ? raw[1..] : raw;
        if (unsigned.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(unsigned.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)
                ? (negative ? -hex : hex).ToString(CultureInfo.InvariantCulture)
                : null;
        }

        if (unsigned.Length > 1 && unsigned[0] == '0' && unsigned.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            try
            {
                return Convert.ToInt64(unsigned, 8).ToString(CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d.ToString("R", CultureInfo.InvariantCulture)
            : null;
    }

    private static string HowToWrite(string raw, string value)
    {
        var unsigned = raw.TrimStart('-', '+');
        var sign = raw.StartsWith('-') ? "-" : "";
        if (unsigned.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return $"JSON has no hexadecimal, write it in decimal: {value}";
        }

        if (unsigned.Length > 1 && unsigned[0] == '0' && char.IsAsciiDigit(unsigned[1]))
        {
            var trimmed = unsigned.TrimStart('0');
            return $"JSON has no leading zeros (nor octal), write {sign}{(trimmed.Length == 0 || !char.IsAsciiDigit(trimmed[0]) ? "0" + trimmed : trimmed)}";
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

    /// <summary>Skips blanks and comments (<c>// ...</c> and <c>/* ... */</c>).</summary>
    private void SkipBlanks()
    {
        while (!AtEnd)
        {
            var c = Current;
            if (char.IsWhiteSpace(c))
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                var newline = _text.IndexOf('\n', _pos);
                _pos = newline < 0 ? _text.Length : newline + 1;
            }
            else if (c == '/' && _pos + 1 >= _text.Length)
            {
                _pos = _text.Length;
                throw EndsEarly();
            }
            else if (c == '/' && _text[_pos + 1] != '*' && _afterDocument)
            {
                throw EndsEarly(); // So the old reader said after the end of the top-level value.
            }
            else if (c == '/' && _text[_pos + 1] != '*')
            {
                throw Error(_pos + 1, $"invalid JSON: Error parsing comment. Expected: *, got {_text[_pos + 1]}".TrimEnd('.'));
            }
            else if (c == '/')
            {
                var close = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    _pos = _text.Length;
                    throw EndsEarly();
                }

                _pos = close + 2;
            }
            else
            {
                return;
            }
        }
    }

    private ManifestException EndsEarly() =>
        Error(_text.Length, "invalid JSON: the file ends early; a closing '}', ']' or '\"' is missing");

    private ManifestException Error(int offset, string problem) => new(Location(offset), problem);

    /// <summary>The line and column of <paramref name="offset"/>, in characters as editors count them.</summary>
    private SourceLocation Location(int offset)
    {
        offset = Math.Min(offset, _text.Length);
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return new SourceLocation(_path, line + 1, offset - _lineStarts[line] + 1);
    }

    private int LineStart(int offset)
    {
        var line = _lineStarts.BinarySearch(offset);
        return _lineStarts[line < 0 ? ~line - 1 : line];
    }

    private bool IsEscaped(int index)
    {
        var backslashes = 0;
        for (var k = index - 1; k >= 0 && _text[k] == '\\'; k--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }

    /// <summary>A key's path as messages have always shown it: <c>services.web</c>, <c>a[0]</c>, <c>web['a b']</c>.</summary>
    private static string PathText(List<object> path)
    {
        var builder = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment is int index)
            {
                builder.Append(CultureInfo.InvariantCulture, $"[{index}]");
            }
            else if (((string)segment).AsSpan().IndexOfAny(".  '/\"[]()\t\n\r\f\b\\\u0085\u2028\u2029") >= 0)
            {
                builder.Append("['").Append(((string)segment).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
            }
            else
            {
                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append((string)segment);
            }
        }

        return builder.ToString();
    }

    private static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is '{' or '}' or '[' or ']' or ',' or ':';

    /// <summary>What may follow a number or a word such as <c>true</c>.</summary>
    private static bool IsValueEnd(char c) => char.IsWhiteSpace(c) || c is ',' or '}' or ']' or ')' or '/';

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';

    /// <summary>JSON's number grammar: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>.</summary>
    private static bool IsStrictNumber(string raw)
    {
        var i = raw.StartsWith('-') ? 1 : 0;
        if (i < raw.Length && raw[i] == '0')
        {
            i++;
        }
        else if (i < raw.Length && raw[i] is >= '1' and <= '9')
        {
            i = Digits(raw, i);
        }
        else
        {
            return false;
        }

        if (i < raw.Length && raw[i] == '.')
        {
            var fraction = Digits(raw, i + 1);
            if (fraction == i + 1)
            {
                return false;
            }

            i = fraction;
        }

        if (i < raw.Length && raw[i] is 'e' or 'E')
        {
            i++;
            if (i < raw.Length && raw[i] is '+' or '-')
            {
                i++;
            }

            var exponent = Digits(raw, i);
            if (exponent == i)
            {
                return false;
            }

            i = exponent;
        }

        return i == raw.Length;
    }

    private static int Digits(string raw, int i)
    {
        while (i < raw.Length && char.IsAsciiDigit(raw[i]))
        {
            i++;
        }

        return i;
    }
}
