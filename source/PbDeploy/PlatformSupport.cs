using System.Runtime.Versioning;
using PbDeploy.Platform;

// The whole library runs on Linux only (statx, /proc, netlink, glibc's posix_spawn extensions): CA1416 tells a caller
// that does not say the same. PlatformSupport below is the one member meant to be called anywhere, to refuse.
[assembly: SupportedOSPlatform("linux")]

namespace PbDeploy;

/// <summary>
/// Where PbDeploy runs: Linux on x64 or arm64. Its entry points (<see cref="Deployment.Deployer"/>,
/// <see cref="Processes.ProcessFinder"/>, <see cref="Manifest.ManifestLoader.Load(string)"/>,
/// <see cref="Deployment.TemplateRun.Render"/>, <see cref="Import.PythonSettingsImporter.ImportAsync"/>) refuse anywhere else
/// with an <see cref="EnvironmentException"/>; a front end calls <see cref="ThrowIfUnsupported"/> at its start to refuse
/// before doing anything.
/// </summary>
public static class PlatformSupport
{
    /// <summary>
    /// Throws an <see cref="EnvironmentException"/> whose one-line message names this platform and says what to do,
    /// on macOS, Windows, another Unix, or Linux on an architecture other than x64 and arm64.
    /// </summary>
    public static void ThrowIfUnsupported() => PlatformCheck.ThrowIfUnsupported();
}
