namespace PbDeploy.Templating;

/// <summary>
/// The template language: <c>{name}</c> or <c>{a.b}</c> is a reference, <c>{{</c> and <c>}}</c> are literal braces,
/// any other brace is literal.
/// </summary>
public static class Template
{
    /// <summary>Renders <paramref name="text"/>, which starts at <paramref name="origin"/> (for error positions).</summary>
    /// <exception cref="TemplateException">A reference names an unknown variable.</exception>
    public static string Render(string text, SourceLocation origin, VariableScope scope) =>
        throw new NotImplementedException();
}
