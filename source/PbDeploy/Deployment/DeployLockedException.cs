namespace PbDeploy.Deployment;

/// <summary>Another deploy of the same project held the lock for longer than the lock timeout: nothing was done.</summary>
public sealed class DeployLockedException : PbDeployException
{
    /// <summary>Creates the exception; the message names the holder and the lock file.</summary>
    public DeployLockedException(string message) : base(message) { }
}
