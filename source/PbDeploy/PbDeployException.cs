namespace PbDeploy;

/// <summary>
/// The root of every failure PbDeploy reports on purpose. Its message says what failed, where, and what to do;
/// front ends show it as one line. Any other exception is a bug.
/// </summary>
public class PbDeployException : Exception
{
    /// <summary>Creates an exception with a message that says what failed, where, and what to do.</summary>
    public PbDeployException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the lower-level cause.</summary>
    public PbDeployException(string message, Exception innerException) : base(message, innerException) { }
}
