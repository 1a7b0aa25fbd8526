using System.Buffers;
using System.Text;

namespace PbDeploy.Templating;

/// <summary>
/// The template language: <c>{name}</c> or <c>{a.b}</c> is a reference, <c>{{</c> and <c>}}</c> are literal braces,
/// any other brace is literal.
/// </summary>
/// <remarks>
/// A name is one or more segments <c>[A-Za-z_][A-Za-z0-9_-]*</c> joined by dots, directly between the braces (no
/// spaces). So <c>server { listen 80; }</c>, <c>{}</c>, <c>{ }</c>, <c>{1,2}</c>, <c>{a b}</c> and a lone <c>}</c>
/// are literal text, while <c>${HOME}</c> in a shell command is a reference to the variable <c>HOME</c> (write
/// <c>$HOME</c>, or <c>${{HOME}}</c> for a literal <c>${HOME}</c>). Rendering is one pass; values are inserted as
/// they are, not rendered again and not quoted: in a command, a value holding <c>;</c> or <c>$(...)</c> is shell.
/// <c>{name:q}</c> inserts the value quoted for POSIX sh (one word, taken literally). Python's <c>{name:s}</c> is the
/// value as it is, and <c>{name:d}</c> the value, which must be an integer (so the Python tool's templates render the
/// same); any other format after the <c>:</c> is an error.
/// </remarks>
internal static class Template
{
    private const string QuoteSpec = "q";
    private const string IntegerSpec = "d";
    private const string StringSpec = "s";

    private static readonly SearchValues<char> Braces = SearchValues.Create("{}");

    /// <summary>Renders <paramref name="text"/>, which starts at <paramref name="origin"/> (for error positions).</summary>
    /// <param name="text">The template.</param>
    /// <param name="origin">
    /// Where <paramref name="text"/> starts: <c>(file, 1, 1)</c> for a whole file. An error's line and column are
    /// computed from it and the reference's offset; with line 0 (unknown) the error names only the origin.
    /// </param>
    /// <param name="scope">The variables.</param>
    /// <exception cref="TemplateException">A reference names an unknown variable.</exception>
    public static string Render(string text, SourceLocation origin, VariableScope scope)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Render(text, offset => Locate(text, offset, origin), scope);
    }

    /// <summary>Renders <paramref name="text"/>, locating an error at offset <c>n</c> of the text with <paramref name="locate"/>.</summary>
    internal static string Render(string text, Func<int, SourceLocation> locate, VariableScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var span = text.AsSpan();
        var next = span.IndexOfAny(Braces);
        if (next < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 64);
        var position = 0;
        while (next >= 0)
        {
            var brace = position + next;
            builder.Append(span[position..brace]);
            var rest = span[(brace + 1)..];
            if (span[brace] == '}')
            {
                // "}}" is one literal brace; a lone "}" is literal too.
                builder.Append('}');
                position = brace + (rest.StartsWith('}') ? 2 : 1);
            }
            else if (rest.StartsWith('{'))
            {
                builder.Append('{');
                position = brace + 2;
            }
            else if (ReferenceLength(rest, out var nameLength) is var length and > 0)
            {
                var reference = text.Substring(brace + 1, nameLength);
                var spec = length > nameLength ? text.Substring(brace + 2 + nameLength, length - nameLength - 1) : null;
                if (spec is not null and not (QuoteSpec or IntegerSpec or StringSpec))
                {
                    throw new TemplateException(
                        locate(brace),
                        $"unknown format ':{spec}' in {{{reference}:{spec}}}; the formats are ':q', the value quoted for the shell, as in {{{reference}:q}}, and Python's ':d' (an integer) and ':s' (text)");
                }

                var error = scope.Resolve(reference, out var value);
                if (error is not null)
                {
                    throw new TemplateException(locate(brace), error);
                }

                if (spec is IntegerSpec && !IsInteger(value!))
                {
                    throw new TemplateException(
                        locate(brace),
                        $"{{{reference}:d}} needs an integer, and '{reference}' is \"{value}\"; give it an integer value, or write {{{reference}}} for the text as it is");
                }

                builder.Append(spec is QuoteSpec ? ShellQuote(value!) : value);
                position = brace + length + 2;
            }
            else
            {
                builder.Append('{');
                position = brace + 1;
            }

            next = span[position..].IndexOfAny(Braces);
        }

        builder.Append(span[position..]);
        return builder.ToString();
    }

    /// <summary>
    /// The length of the reference at the start of <paramref name="text"/> (just after a <c>{</c>) when it is
    /// followed by <c>}</c>, format spec included (<c>name:q</c>); 0 when the brace is literal.
    /// <paramref name="nameLength"/> is the length of the name alone.
    /// </summary>
    private static int ReferenceLength(ReadOnlySpan<char> text, out int nameLength)
    {
        nameLength = 0;
        var i = 0;
        while (true)
        {
            if (i >= text.Length || !(char.IsAsciiLetter(text[i]) || text[i] == '_'))
            {
                return 0;
            }

            i++;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-'))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return 0;
            }

            if (text[i] == '}')
            {
                nameLength = i;
                return i;
            }

            if (text[i] == ':')
            {
                nameLength = i;
                return SpecLength(text[(i + 1)..]) is var spec and > 0 ? i + 1 + spec : 0;
            }

            if (text[i] != '.')
            {
                return 0;
            }

            i++;
        }
    }

    /// <summary>
    /// The length of a format spec (after the <c>:</c>) when a <c>}</c> ends it: ASCII letters only, so that the
    /// shell's <c>${X:-default}</c>, <c>${X:=v}</c>, <c>${X:+v}</c>, <c>${X:?msg}</c> and <c>${X:2}</c> stay literal
    /// text as they always were; 0 otherwise, and the brace is literal (<c>{a: b}</c>, <c>{a:}</c>). A later format
    /// (Python's <c>:d</c>, <c>:x</c>) is a letter too; one with signs or digits would widen this.
    /// </summary>
    private static int SpecLength(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && char.IsAsciiLetter(text[i]))
        {
            i++;
        }

        return i > 0 && i < text.Length && text[i] == '}' ? i : 0;
    }

    /// <summary>Whether <paramref name="value"/> is an integer as Python's <c>:d</c> takes it: digits, with an optional sign.</summary>
    private static bool IsInteger(string value)
    {
        var digits = value.AsSpan(value.StartsWith('-') || value.StartsWith('+') ? 1 : 0);
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary><paramref name="value"/> as one word of POSIX sh: in single quotes, each <c>'</c> written <c>'\''</c>.</summary>
    internal static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The location of <paramref name="offset"/> in <paramref name="text"/>, which starts at <paramref name="origin"/>.</summary>
    internal static SourceLocation Locate(string text, int offset, SourceLocation origin)
    {
        if (origin.Line <= 0)
        {
            return origin;
        }

        var before = text.AsSpan(0, offset);
        var newlines = before.Count('\n');
        if (newlines == 0)
        {
            return origin with { Column = Math.Max(origin.Column, 1) + offset };
        }

        return origin with { Line = origin.Line + newlines, Column = offset - before.LastIndexOf('\n') };
    }
}
