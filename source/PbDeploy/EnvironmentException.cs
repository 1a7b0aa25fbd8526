namespace PbDeploy;

/// <summary>
/// The machine lacks or refuses something PbDeploy needs: a program (python3, lsof), <c>/proc</c>, a C library
/// function, a permission, disk space, the deploy lock, a process it may not signal. The command line's exit code is 1.
/// </summary>
public class EnvironmentException : PbDeployException
{
    /// <summary>Creates the exception; the message says what is missing or refused, and what to do.</summary>
    public EnvironmentException(string message) : base(message) { }

    /// <summary>Creates the exception with the lower-level cause.</summary>
    public EnvironmentException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>
    /// The one translation of an IO failure of the operating system (<see cref="IOException"/>,
    /// <see cref="UnauthorizedAccessException"/>) that no step turned into a message of its own: <paramref name="what"/>
    /// says what was being done.
    /// </summary>
    public static EnvironmentException FromIo(string what, Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var why = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
        return new EnvironmentException($"{what}: {why}; check the file's permissions and the disk, then run again.", e);
    }
}
