namespace PbDeploy;

/// <summary>
/// The root of every failure PbDeploy reports on purpose. Its message says what failed, where, and what to do;
/// front ends show it as one line. Its kind is its type: <see cref="InputException"/> (bad usage, manifest or template:
/// nothing was done), <see cref="EnvironmentException"/> (the machine lacks or refuses something) and
/// <see cref="ServiceFailedException"/> (a service's own step failed). Any other exception is a bug.
/// </summary>
public abstract class PbDeployException : Exception
{
    /// <summary>Creates an exception with a message that says what failed, where, and what to do.</summary>
    protected PbDeployException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the lower-level cause.</summary>
    protected PbDeployException(string message, Exception innerException) : base(message, innerException) { }
}
