using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PbDeploy.Manifest;

/// <summary>
/// The manifest's text: checks the encoding, reads the JSON with <see cref="Utf8JsonReader"/> (no reflection, no
/// DOM: NativeAOT and trim safe, and small) into <see cref="ManifestValue"/>s that know their line and column, and
/// turns any error into a one-line <see cref="ManifestException"/>.
/// </summary>
internal static class ManifestJson
{
    private static readonly JsonReaderOptions Options = new()
    {
        // What the loader has always accepted besides strict JSON.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = LenientJsonReader.MaxDepth,
    };

    /// <summary>Decodes and parses <paramref name="bytes"/>, the content of the file at <paramref name="path"/>.</summary>
    /// <returns>The top-level object.</returns>
    /// <exception cref="ManifestException">The bytes are not UTF-8, not JSON, or not a JSON object.</exception>
    public static ManifestValue Parse(string path, byte[] bytes)
    {
        ReadOnlySpan<byte> span = bytes;
        if (span.Length >= 2 && ((span[0] == 0xFF && span[1] == 0xFE) || (span[0] == 0xFE && span[1] == 0xFF)))
        {
            throw new ManifestException(
                new SourceLocation(path, 1, 1),
                "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8");
        }

        var start = span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        span = span[start..];
        if (!System.Text.Unicode.Utf8.IsValid(span))
        {
            throw InvalidUtf8(path, span);
        }

        if (IsBlank(span))
        {
            throw new ManifestException(
                new SourceLocation(path, 1, 1),
                "the file is empty; a manifest is a JSON object with at least \"services\"");
        }

        var root = new Builder(path, bytes, start).Read(span);
        if (root.Kind != ManifestValueKind.Object)
        {
            throw new ManifestException(
                root.Location,
                $"the manifest must be a JSON object {{ \"services\": {{ ... }} }}, got {Describe(root)}");
        }

        return root;
    }

    /// <summary>A value as a message shows it: <c>70000</c>, <c>"abc"</c>, <c>true</c>, <c>null</c>, <c>an array</c>.</summary>
    public static string Describe(ManifestValue value) => value.Kind switch
    {
        ManifestValueKind.Object => "an object",
        ManifestValueKind.Array => "an array",
        ManifestValueKind.Null => "null",
        ManifestValueKind.String => Quote(value.String!.Text),
        ManifestValueKind.Boolean => value.Boolean ? "true" : "false",
        // 1e3 is a JSON number with a fraction part (a float): shown as 1000.0, so "an integer, got 1000" never happens.
        _ when !value.IsInteger => FormatNumber(value) is var f && f.All(c => char.IsAsciiDigit(c) || c == '-') ? f + ".0" : f,
        _ => FormatNumber(value),
    };

    /// <summary>A JSON number as invariant text: <c>8080</c>, <c>1.5</c>; an integer too large for a long as written.</summary>
    public static string FormatNumber(ManifestValue value)
    {
        if (value.IsInteger)
        {
            // JSON writes an integer one way only (no leading zeros, no '+'), so one too large for a long is shown as written.
            return value.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : value.NumberText!;
        }

        return value.ToDouble().ToString("R", CultureInfo.InvariantCulture);
    }

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

    private static bool IsBlank(ReadOnlySpan<byte> span)
    {
        var other = span.IndexOfAnyExcept(" \t\r\n"u8);
        // Only non-ASCII text can still be all white space (a no-break space ...): decode just then.
        return other < 0 || (span[other] >= 0x80 && string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(span)));
    }

    private static ManifestException InvalidUtf8(string path, ReadOnlySpan<byte> span)
    {
        var chars = new char[span.Length];
        var status = System.Text.Unicode.Utf8.ToUtf16(
            span, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
        // The valid prefix tells the line and column of the first bad byte.
        var prefix = chars.AsSpan(0, charsWritten);
        var line = 1 + prefix.Count('\n');
        var column = charsWritten - (prefix.LastIndexOf('\n') + 1) + 1;
        var detail = status == OperationStatus.NeedMoreData
            ? "the file ends inside a UTF-8 character"
            : string.Create(CultureInfo.InvariantCulture, $"byte 0x{span[bytesRead]:X2} is not valid UTF-8");
        return new ManifestException(new SourceLocation(path, line, column), $"{detail}; save the file as UTF-8");
    }

    /// <summary>Builds the values token by token; a file the reader refuses goes to <see cref="LenientJsonReader"/>.</summary>
    private sealed class Builder(string path, byte[] bytes, int start)
    {
        private readonly ByteLines _lines = new(bytes, start);

        public ManifestValue Read(ReadOnlySpan<byte> span)
        {
            var reader = new Utf8JsonReader(span, Options);
            try
            {
                if (reader.Read())
                {
                    var root = Value(ref reader);
                    if (root.Kind is not (ManifestValueKind.Object or ManifestValueKind.Array))
                    {
                        // Refused below; the message has always placed a top-level value that is no container at its last character.
                        root = ManifestValue.Relocated(root, _lines.Locate(path, reader.BytesConsumed - 1));
                    }

                    if (!reader.Read())
                    {
                        return root;
                    }
                }
            }
            catch (JsonException)
            {
                // Not strict JSON (or a key twice): the lenient reader says why, or reads what the loader also accepts.
            }

            return LenientJsonReader.Read(path, Encoding.UTF8.GetString(span));
        }

        private ManifestValue Value(ref Utf8JsonReader reader)
        {
            var at = _lines.Locate(path, reader.TokenStartIndex);
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var properties = new List<ManifestProperty>();
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var keyAt = _lines.Locate(path, reader.TokenStartIndex);
                        var name = reader.GetString()!;
                        if (!names.Add(name))
                        {
                            // A key twice: the lenient reader names it with its path.
                            throw new JsonException();
                        }

                        reader.Read();
                        properties.Add(new ManifestProperty(name, keyAt, Value(ref reader)));
                    }

                    return ManifestValue.FromProperties(properties, at);
                case JsonTokenType.StartArray:
                    var items = new List<ManifestValue>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        items.Add(Value(ref reader));
                    }

                    return ManifestValue.FromItems(items, at);
                case JsonTokenType.String:
                    var raw = reader.ValueIsEscaped ? Encoding.UTF8.GetString(reader.ValueSpan) : null;
                    return ManifestValue.FromString(new TemplateString(reader.GetString()!, at, raw));
                case JsonTokenType.Number:
                    return ManifestValue.FromNumber(Encoding.UTF8.GetString(reader.ValueSpan), at);
                case JsonTokenType.True or JsonTokenType.False:
                    return ManifestValue.FromBoolean(reader.TokenType == JsonTokenType.True, at);
                default:
                    return ManifestValue.Null(at);
            }
        }
    }
}
