namespace PbDeploy.Deployment;

/// <summary>A phase of a deploy. <c>Deploy</c> is Before, StartOrRestart, After; <c>--quick</c> skips Before and After.</summary>
public enum Phase
{
    /// <summary>Each service's <c>before</c> commands (install requirements, collect static files ...).</summary>
    Before,

    /// <summary>Render templates, then start each stopped service or restart each running one.</summary>
    StartOrRestart,

    /// <summary>Each service's <c>after</c> commands (migrate, run the tests ...).</summary>
    After,

    /// <summary>Stop each running service, in reverse dependency order.</summary>
    Stop,
}
