namespace PbDeploy.Cli;

/// <summary>The exit codes of <c>pbdeploy</c>.</summary>
internal static class ExitCodes
{
    /// <summary>All went well.</summary>
    public const int Success = 0;

    /// <summary>A service failed, or the machine lacks or refuses something (<see cref="EnvironmentException"/>).</summary>
    public const int ServiceFailed = 1;

    /// <summary>Bad usage, a bad manifest or a bad template (<see cref="InputException"/>): nothing was started, stopped or written.</summary>
    public const int Usage = 2;
}
