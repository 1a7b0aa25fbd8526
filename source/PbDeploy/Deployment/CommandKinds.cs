namespace PbDeploy.Deployment;

/// <summary>The names of a service's commands, as in the manifest.</summary>
internal static class CommandKinds
{
    /// <summary><c>before</c>.</summary>
    public const string Before = "before";

    /// <summary><c>start</c>.</summary>
    public const string Start = "start";

    /// <summary><c>restart</c>.</summary>
    public const string Restart = "restart";

    /// <summary><c>stop</c>.</summary>
    public const string Stop = "stop";

    /// <summary><c>after</c>.</summary>
    public const string After = "after";
}
