namespace PbDeploy.Manifest;

/// <summary>The names a manifest may use.</summary>
internal static class Names
{
    /// <summary>A variable or environment variable name: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IsVariableName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>
    /// A service name: like a variable name, and may also contain <c>-</c>. Never a dot: <c>{services.OTHER.KEY}</c>
    /// separates with dots.
    /// </summary>
    public static bool IsServiceName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>A key as part of a key path: as is when plain, else quoted (<c>env."A B"</c>).</summary>
    public static string Show(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$') ? name : Quote(name);

    /// <summary>A key in single quotes, for messages.</summary>
    public static string Quote(string name) => "'" + name + "'";
}
