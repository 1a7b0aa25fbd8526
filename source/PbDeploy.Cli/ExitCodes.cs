namespace PbDeploy.Cli;

/// <summary>The exit codes of <c>pbdeploy</c>.</summary>
internal static class ExitCodes
{
    /// <summary>All went well.</summary>
    public const int Success = 0;

    /// <summary>A service failed.</summary>
    public const int ServiceFailed = 1;

    /// <summary>Bad usage, a bad manifest or a bad template: nothing was started, stopped or written.</summary>
    public const int Usage = 2;
}
