namespace PbDeploy.Templating;

/// <summary>A template (a file, or a command of the manifest) that cannot be rendered.</summary>
public sealed class TemplateException(SourceLocation location, string problem) : LocatedException(location, problem);
