namespace PbDeploy.Manifest;

/// <summary>
/// A template file and the file it is rendered to, both relative to the project dir (or absolute). Both paths are
/// templates themselves, rendered with the service's variables when the template is written
/// (<c>{conf_dir}/site.conf.template</c>).
/// </summary>
/// <param name="Source">The template, e.g. <c>nginx.conf.template</c>, as written in the manifest.</param>
/// <param name="Target">The rendered file, e.g. <c>nginx.conf</c>, as written in the manifest (or derived from <paramref name="Source"/>).</param>
/// <param name="Location">Where the template is named in the manifest.</param>
public sealed record TemplateSpec(string Source, string Target, SourceLocation Location)
{
    /// <summary>The source as written, for rendering with exact error positions; null when made by hand.</summary>
    internal TemplateString? SourceText { get; init; }

    /// <summary>The target as written, or null when it is the source without <c>.template</c> (or made by hand).</summary>
    internal TemplateString? TargetText { get; init; }
}
