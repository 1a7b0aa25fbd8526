namespace PbDeploy.Processes;

/// <summary>How a child process ended.</summary>
/// <param name="Code">The exit code, or null when it was killed by a signal or could not be known.</param>
/// <param name="Signal">The signal that killed it, or null.</param>
public sealed record ExitStatus(int? Code, int? Signal)
{
    /// <summary>Exited with code 0.</summary>
    public bool Succeeded => Code == 0;

    /// <summary>The child was reaped by someone else (SIGCHLD ignored): it ended, how is unknown.</summary>
    public static ExitStatus Unknown { get; } = new(null, null);

    /// <summary><c>exit code 3</c>, <c>killed by signal 9</c>, or <c>exited</c>.</summary>
    public override string ToString() =>
        Code is { } code ? $"exit code {code}" : Signal is { } signal ? $"killed by signal {signal}" : "exited";
}
