using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PbDeploy.Manifest;

/// <summary>
/// Warns, at load time, of bash-only syntax in the commands of a service that runs them with <c>/bin/sh</c> (dash on
/// Debian and Ubuntu, which refuses or misreads it). Conservative: quoted text and comments are not looked at, and
/// only constructs that mean something else (or nothing) to a POSIX shell are named.
/// </summary>
internal static partial class BashSyntax
{
    private static readonly (Func<Regex> Pattern, string What, string Instead)[] Constructs =
    [
        (KillWithSigPrefix, "a signal name with the SIG prefix, which dash's kill refuses", "or name the signal without SIG (kill -s HUP)"),
        (DoubleBrackets, "[[ ]], which sh does not have", "or use [ ]"),
        (FunctionKeyword, "the 'function' keyword, which sh does not have", "or write NAME() { ...; }"),
        (SourceCommand, "'source', which sh does not have", "or use '. FILE'"),
        (AnsiCQuote, "$'...' quoting, which sh does not have", "or use printf"),
        (ProcessSubstitution, "process substitution, which sh does not have", "or use a pipe or a temporary file"),
        (BraceExpansion, "brace expansion, which sh leaves as literal text", "or write out the words"),
        (DoubleEqualsInTest, "'==' inside [ ], which dash's [ refuses", "or use '='"),
        (AmpersandRedirect, "'&>' redirection, which sh reads as '&' (run in the background) then '>'", "or write >FILE 2>&1"),
        (PipeAmpersand, "'|&', which sh does not have", "or write 2>&1 |"),
        (BashBuiltin, "a bash builtin that sh does not have", "or do without it (cd instead of pushd and popd, plain assignments instead of declare)"),
    ];

    /// <summary>True when <paramref name="shell"/> (a <c>shell</c> setting) is a POSIX sh, not bash.</summary>
    public static bool IsPosixSh(string shell) => shell is "sh" or "/bin/sh" or "/usr/bin/sh" or "/bin/dash" or "/usr/bin/dash";

    /// <summary>Adds a warning for each bash-only construct in the commands of <paramref name="service"/>, when its shell is sh.</summary>
    public static void Check(ServiceDefinition service, List<ManifestWarning> warnings)
    {
        if (!IsPosixSh(service.Shell))
        {
            return;
        }

        foreach (var (setting, command) in Commands(service))
        {
            foreach (var (construct, offset, what, instead) in Find(command.Text))
            {
                warnings.Add(new ManifestWarning(
                    command.Locate(offset),
                    $"services.{service.Name}.{setting}: {construct} is bash syntax ({what}), and this command runs with {service.Shell}; "
                    + $"set \"shell\": \"bash\" in the service or at the top level, {instead}"));
            }
        }
    }

    /// <summary>The bash-only constructs of <paramref name="command"/>, outside quotes and comments: the text, its offset, what it is and what to do instead.</summary>
    internal static IEnumerable<(string Construct, int Offset, string What, string Instead)> Find(string command)
    {
        var masked = Mask(command);
        foreach (var (pattern, what, instead) in Constructs)
        {
            var match = pattern().Match(masked);
            if (match.Success)
            {
                var group = match.Groups["c"];
                yield return (command.Substring(group.Index, group.Length).Trim(), group.Index, what, instead);
            }
        }
    }

    private static IEnumerable<(string Setting, TemplateString Command)> Commands(ServiceDefinition service)
    {
        yield return ("start", service.Start);
        if (service.Restart is { } restart)
        {
            yield return ("restart", restart);
        }

        if (service.Stop is { } stop)
        {
            yield return ("stop", stop);
        }

        foreach (var (kind, list) in new[] { ("before", service.Before), ("after", service.After) })
        {
            for (var i = 0; i < list.Count; i++)
            {
                yield return (list.Count == 1 ? kind : string.Create(CultureInfo.InvariantCulture, $"{kind}[{i}]"), list[i]);
            }
        }
    }

    /// <summary>
    /// <paramref name="command"/> with the text inside quotes, escaped characters and comments replaced by <c>_</c>
    /// (quotes kept), so that patterns see only what the shell parses; every offset stays the same.
    /// </summary>
    internal static string Mask(string command)
    {
        var masked = new StringBuilder(command.Length);
        var quote = '\0';
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote == '\'')
            {
                masked.Append(c == '\'' ? c : '_');
                quote = c == '\'' ? '\0' : quote;
            }
            else if (c == '\\' && i + 1 < command.Length && quote != '\'')
            {
                masked.Append("__");
                i++;
            }
            else if (quote == '"')
            {
                masked.Append(c == '"' ? c : '_');
                quote = c == '"' ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                masked.Append(c);
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(command[i - 1]) || command[i - 1] is ';' or '&' or '|' or '('))
            {
                masked.Append('_', command.Length - i); // a comment, to the end (a command is one line in practice)
                break;
            }
            else
            {
                masked.Append(c);
            }
        }

        return masked.ToString();
    }

    // Where a command starts: the start of the text, or after ; & | ( { or then/do/else.
    private const string CommandStart = @"(?:^|[;&|({]|\b(?:then|do|else)\b)\s*";

    [GeneratedRegex(@"(?<![\w-])(?<c>kill\s+(?:-s\s+SIG[A-Z][A-Z0-9+-]*|-SIG[A-Z][A-Z0-9+-]*))")]
    private static partial Regex KillWithSigPrefix();

    [GeneratedRegex(@"(?:^|[\s;&|(])(?<c>\[\[)(?:\s|$)")]
    private static partial Regex DoubleBrackets();

    [GeneratedRegex(CommandStart + @"(?<c>function\s+[A-Za-z_][\w-]*)")]
    private static partial Regex FunctionKeyword();

    [GeneratedRegex(CommandStart + @"(?<c>source)\s+\S")]
    private static partial Regex SourceCommand();

    [GeneratedRegex(@"(?<c>\$')")]
    private static partial Regex AnsiCQuote();

    [GeneratedRegex(@"(?<c>[<>]\()")]
    private static partial Regex ProcessSubstitution();

    // {a,b} or {1..3}, not ${...} nor a template's {{...}}.
    [GeneratedRegex(@"(?<![${])(?<c>\{(?:[\w./-]*,[\w./,-]*|\w+\.\.\w+)\})(?!\})")]
    private static partial Regex BraceExpansion();

    [GeneratedRegex(@"(?:^|[\s;&|(])(?:\[|test)\s[^\];&|]*?\s(?<c>==)\s")]
    private static partial Regex DoubleEqualsInTest();

    [GeneratedRegex(@"(?<![>&<\d])(?<c>&>)")]
    private static partial Regex AmpersandRedirect();

    [GeneratedRegex(@"(?<c>\|&)")]
    private static partial Regex PipeAmpersand();

    [GeneratedRegex(CommandStart + @"(?<c>shopt|declare|pushd|popd)(?=\s|$)")]
    private static partial Regex BashBuiltin();
}
