namespace PbDeploy.Hosts;

/// <summary>POSIX shell quoting: what a remote shell reads back as exactly one word, whatever it holds.</summary>
internal static class ShellQuote
{
    /// <summary><c>'text'</c>, each <c>'</c> written as <c>'\''</c>; a word of safe characters as it is.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '=' or ':' or ',' or '+' or '@'))
        {
            return text;
        }

        return "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The words quoted and joined by spaces: one command line for a remote shell.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
