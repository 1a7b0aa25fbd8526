namespace PbDeploy.Deployment;

/// <summary>How the core raises events: one at a time, whatever thread raises them, to a front end's callback.</summary>
internal static class EventGate
{
    /// <summary><paramref name="onEvent"/>, called under a lock (a no-op when null).</summary>
    public static Action<DeployEvent> OneAtATime(Action<DeployEvent>? onEvent)
    {
        if (onEvent is null)
        {
            return _ => { };
        }

        var gate = new Lock();
        return e =>
        {
            lock (gate)
            {
                onEvent(e);
            }
        };
    }
}
