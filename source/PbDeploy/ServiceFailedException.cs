namespace PbDeploy;

/// <summary>A service's own step failed (a command, a start, a readiness wait, a stop): the others went on. Exit code 1.</summary>
public sealed class ServiceFailedException : PbDeployException
{
    /// <summary>Creates the exception for <paramref name="service"/>, failed in <paramref name="phase"/>.</summary>
    /// <param name="service">The service's name.</param>
    /// <param name="phase">The step that failed, in words ("start or restart").</param>
    /// <param name="message">What failed and what to do; the whole message.</param>
    /// <param name="output">The last lines of the failed command's output or the service's log, or null.</param>
    public ServiceFailedException(string service, string phase, string message, string? output)
        : base(message)
    {
        Service = service;
        Phase = phase;
        Output = output;
    }

    /// <summary>The service's name.</summary>
    public string Service { get; }

    /// <summary>The step that failed, in words.</summary>
    public string Phase { get; }

    /// <summary>The last lines of the output that say why, or null.</summary>
    public string? Output { get; }
}
