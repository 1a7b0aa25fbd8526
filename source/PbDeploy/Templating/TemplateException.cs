namespace PbDeploy.Templating;

/// <summary>A template (a file, or a command of the manifest) that cannot be rendered.</summary>
public sealed class TemplateException : PbDeployException
{
    /// <summary>Creates the exception; the message is prefixed with the location.</summary>
    public TemplateException(SourceLocation location, string problem)
        : base($"{location}: {problem}")
    {
        Location = location;
        Problem = problem;
    }

    /// <summary>Where the problem is.</summary>
    public SourceLocation Location { get; }

    /// <summary>The problem, without the location.</summary>
    public string Problem { get; }
}
