using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace PbDeploy.Import;

/// <summary>
/// Writes a manifest as people write it: two-space indents, one key per line, arrays of plain values on one line.
/// Token by token, without reflection (NativeAOT-safe).
/// </summary>
internal static class ManifestText
{
    public static string Write(JObject manifest)
    {
        var builder = new StringBuilder();
        WriteValue(builder, manifest, 0);
        return builder.Append('\n').ToString();
    }

    private static void WriteValue(StringBuilder builder, JToken token, int depth)
    {
        switch (token)
        {
            case JObject obj when obj.HasValues:
                builder.Append("{\n");
                var first = true;
                foreach (var property in obj.Properties())
                {
                    if (!first)
                    {
                        builder.Append(",\n");
                    }

                    first = false;
                    builder.Append(' ', 2 * (depth + 1)).Append(JsonConvert.ToString(property.Name)).Append(": ");
                    WriteValue(builder, property.Value, depth + 1);
                }

                builder.Append('\n').Append(' ', 2 * depth).Append('}');
                break;
            case JObject:
                builder.Append("{}");
                break;
            case JArray array when array.All(item => item is JValue):
                builder.Append('[').AppendJoin(", ", array.Select(Scalar)).Append(']');
                break;
            case JArray array:
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
                builder.Append(Scalar(token));
                break;
        }
    }

    private static string Scalar(JToken token) => token.Type switch
    {
        JTokenType.String => JsonConvert.ToString((string)token!),
        JTokenType.Boolean => (bool)token ? "true" : "false",
        JTokenType.Null => "null",
        JTokenType.Float => Float((double)token),
        JTokenType.Integer => ((JValue)token).Value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : token.ToString(Formatting.None),
        _ => token.ToString(Formatting.None),
    };

    private static string Float(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }
}
