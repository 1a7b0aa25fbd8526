namespace PbDeploy.Manifest;

/// <summary>A template file and the file it is rendered to, both relative to the project dir (or absolute).</summary>
/// <param name="Source">The template, e.g. <c>nginx.conf.template</c>.</param>
/// <param name="Target">The rendered file, e.g. <c>nginx.conf</c>.</param>
/// <param name="Location">Where the template is named in the manifest.</param>
public sealed record TemplateSpec(string Source, string Target, SourceLocation Location);
