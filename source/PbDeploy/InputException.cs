namespace PbDeploy;

/// <summary>
/// What PbDeploy was given is wrong or refused: the command line, the manifest (or whose it is), a template, a file it
/// names. Nothing was started, stopped or written; the command line's exit code is 2.
/// </summary>
public class InputException : PbDeployException
{
    /// <summary>Creates the exception; the message says what is wrong, where, and how to fix it.</summary>
    public InputException(string message) : base(message) { }

    /// <summary>Creates the exception with the lower-level cause.</summary>
    public InputException(string message, Exception innerException) : base(message, innerException) { }
}
