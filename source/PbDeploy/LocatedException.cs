namespace PbDeploy;

/// <summary>A failure at a place in a file (the manifest, a template): the message starts with <c>file:line:column</c>.</summary>
public abstract class LocatedException : InputException
{
    /// <summary>Creates the exception; the message is prefixed with the location.</summary>
    protected LocatedException(SourceLocation location, string problem)
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
