namespace PbDeploy.Deployment;

/// <summary>What a phase did to a service.</summary>
public enum ServiceAction
{
    /// <summary>It was not running and now is.</summary>
    Started,

    /// <summary>It was running, its <c>restart</c> command ran, and it is ready.</summary>
    Restarted,

    /// <summary>It was running and has no <c>restart</c> command: left alone.</summary>
    LeftRunning,

    /// <summary>It was running and now is stopped.</summary>
    Stopped,

    /// <summary>Stop found nothing running.</summary>
    NotRunning,

    /// <summary>Its <c>before</c> or <c>after</c> commands ran and succeeded.</summary>
    CommandsRan,

    /// <summary>Before or After had nothing to do: the service has no such commands, or it is left running without a restart.</summary>
    Nothing,

    /// <summary>It failed; see the message.</summary>
    Failed,

    /// <summary>Not attempted, because a service it depends on failed (or it failed in an earlier phase).</summary>
    Skipped,
}
