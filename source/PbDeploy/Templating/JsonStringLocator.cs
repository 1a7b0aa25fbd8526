using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace PbDeploy.Templating;

/// <summary>
/// Maps an offset in a JSON string value (as decoded) to its line and column in the manifest file, using the line
/// info Newtonsoft keeps on the token and the file's raw text, so that escapes such as <c>\"</c> before the offset
/// are counted as written. Falls back to <c>fallback</c> where the token has no line info or the file does not match.
/// </summary>
internal sealed class JsonStringLocator(JToken token, string manifestPath, SourceLocation fallback)
{
    public SourceLocation Locate(int offset)
    {
        if (token is not IJsonLineInfo info || !info.HasLineInfo())
        {
            return fallback;
        }

        // Newtonsoft's position of a string value is the 1-based column of its closing quote.
        var file = fallback.File is { Length: > 0 } ? fallback.File : manifestPath;
        var atClosingQuote = new SourceLocation(file, info.LineNumber, info.LinePosition);
        string? line;
        try
        {
            line = File.ReadLines(manifestPath).Skip(info.LineNumber - 1).FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return atClosingQuote;
        }

        var close = info.LinePosition - 1;
        if (line is null || close >= line.Length || close < 1 || line[close] != '"')
        {
            return atClosingQuote;
        }

        // The opening quote is the nearest quote before the closing one that is not escaped (inside a JSON string
        // every quote is escaped by an odd number of backslashes).
        var open = close - 1;
        while (open >= 0 && (line[open] != '"' || PrecedingBackslashes(line, open) % 2 == 1))
        {
            open--;
        }

        if (open < 0)
        {
            return atClosingQuote;
        }

        var raw = open + 1;
        for (var decoded = 0; decoded < offset && raw < close; decoded++)
        {
            raw += line[raw] != '\\' ? 1 : raw + 1 < close && line[raw + 1] == 'u' ? 6 : 2;
        }

        return atClosingQuote with { Column = raw + 1 };
    }

    private static int PrecedingBackslashes(string line, int index)
    {
        var count = 0;
        while (index - count - 1 >= 0 && line[index - count - 1] == '\\')
        {
            count++;
        }

        return count;
    }
}
