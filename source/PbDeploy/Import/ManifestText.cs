using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PbDeploy.Import;

/// <summary>
/// Writes a manifest as people write it: two-space indents, one key per line, arrays of plain values on one line.
/// Node by node, without reflection (NativeAOT-safe). Strings are escaped as few as JSON needs (control characters,
/// quotes, backslashes, and U+0085, U+2028, U+2029), never non-ASCII letters: <c>"café"</c> stays readable.
/// </summary>
internal static class ManifestText
{
    public static string Write(JsonObject manifest)
    {
        var builder = new StringBuilder();
        WriteValue(builder, manifest, 0);
        return builder.Append('\n').ToString();
    }

    /// <summary>A value as JSON on one line, without blanks: <c>["a",1,true]</c>, <c>{"title":"Hi"}</c>.</summary>
    public static string Compact(JsonNode? node)
    {
        var builder = new StringBuilder();
        WriteCompact(builder, node);
        return builder.ToString();
    }

    /// <summary>A string as a JSON string literal, in double quotes.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case < ' ' or '\u0085' or '\u2028' or '\u2029':
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A number as JSON writes it: an integer as is, a float always with a fraction or exponent (<c>2.0</c>).</summary>
    public static string Number(JsonNode node)
    {
        var raw = node.ToJsonString();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? l.ToString(CultureInfo.InvariantCulture)
                : raw;
        }

        var text = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    private static void WriteValue(StringBuilder builder, JsonNode? node, int depth)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                builder.Append("{\n");
                var first = true;
                foreach (var (name, value) in obj)
                {
                    if (!first)
                    {
                        builder.Append(",\n");
                    }

                    first = false;
                    builder.Append(' ', 2 * (depth + 1)).Append(Quote(name)).Append(": ");
                    WriteValue(builder, value, depth + 1);
                }

                builder.Append('\n').Append(' ', 2 * depth).Append('}');
                break;
            case JsonObject:
                builder.Append("{}");
                break;
            case JsonArray array when array.All(item => item is null or JsonValue):
                builder.Append('[').AppendJoin(", ", array.Select(Scalar)).Append(']');
                break;
            case JsonArray array:
                builder.Append("[\n");
                for (var i = 0; i < array.Count; i++)
                {
                    builder.Append(' ', 2 * (depth + 1));
                    WriteValue(builder, array[i], depth + 1);
                    builder.Append(i < array.Count - 1 ? ",\n" : "\n");
                }

                builder.Append(' ', 2 * depth).Append(']');
                break;
            default:
                builder.Append(Scalar(node));
                break;
        }
    }

    private static void WriteCompact(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (name, value) in obj)
                {
                    builder.Append(first ? "" : ",").Append(Quote(name)).Append(':');
                    first = false;
                    WriteCompact(builder, value);
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    builder.Append(i > 0 ? "," : "");
                    WriteCompact(builder, array[i]);
                }

                builder.Append(']');
                break;
            default:
                builder.Append(Scalar(node));
                break;
        }
    }

    private static string Scalar(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => Quote(node.GetValue<string>()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => Number(node),
        _ => Compact(node),
    };
}
