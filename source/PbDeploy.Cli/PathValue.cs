using System.CommandLine;

namespace PbDeploy.Cli;

/// <summary>Checks the value of an option or argument that names a file: an empty path is bad usage, not a crash in Path.GetFullPath.</summary>
internal static class PathValue
{
    public static T NonEmpty<T>(T symbol, string name)
        where T : Symbol
    {
        Action<System.CommandLine.Parsing.SymbolResult> check = result =>
        {
            foreach (var token in result.Tokens.Where(t => string.IsNullOrWhiteSpace(t.Value) || t.Value.Contains('\0', StringComparison.Ordinal)))
            {
                result.AddError($"{name} must be a path, got '{token.Value}'");
            }
        };
        switch (symbol)
        {
            case Option option:
                option.Validators.Add(result => check(result));
                break;
            case Argument argument:
                argument.Validators.Add(result => check(result));
                break;
            default:
                break;
        }

        return symbol;
    }
}
