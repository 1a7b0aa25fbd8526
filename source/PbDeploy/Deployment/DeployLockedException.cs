namespace PbDeploy.Deployment;

/// <summary>The project's deploy lock could not be taken (another deploy held it past the lock timeout, or its file cannot be opened): nothing was done.</summary>
internal sealed class DeployLockedException : EnvironmentException
{
    /// <summary>Creates the exception; the message names the holder and the lock file.</summary>
    public DeployLockedException(string message) : base(message) { }
}
