namespace PbDeploy.Deployment;

/// <summary>
/// A step of a service's deploy, and a phase of a build engine's phase targets. A deploy runs, per service, Before →
/// StartOrRestart → After as one pipeline (<c>--quick</c>: StartOrRestart only); a phase target runs one of them for
/// every selected service.
/// </summary>
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
