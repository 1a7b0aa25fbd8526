namespace PbDeploy.Tests.Templating;

/// <summary>A fact about Unix file modes or links: skipped on Windows (xunit 2 has no dynamic skip).</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute(bool needsPermissionChecks = false)
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix file modes and symbolic links only";
        }
        else if (needsPermissionChecks && Environment.UserName == "root")
        {
            Skip = "root is not stopped by file permissions";
        }
    }
}

/// <summary>A theory about Unix file modes: skipped on Windows.</summary>
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix file modes only";
        }
    }
}
