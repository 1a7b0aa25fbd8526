namespace PbDeploy.Processes;

/// <summary>What runs for a service right now.</summary>
public enum ServiceState
{
    /// <summary>Nothing listens on the port (or the pidfile names no live process).</summary>
    Stopped,

    /// <summary>A process we can see listens on the port (or the pidfile names a live process).</summary>
    Running,

    /// <summary>
    /// The port listens, but its holder cannot be seen (another user's process, another namespace), or the port's holder
    /// or the pidfile's pid is a process pbdeploy never signals (init, pbdeploy itself, an ancestor, a kernel thread):
    /// never start a second copy, never signal.
    /// </summary>
    Foreign,
}
