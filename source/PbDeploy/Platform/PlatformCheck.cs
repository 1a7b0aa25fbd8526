using System.Runtime.InteropServices;

namespace PbDeploy.Platform;

/// <summary>
/// Where pbdeploy runs: Linux on x64 or arm64, the architectures whose libc constants the ABI test checks. Anywhere
/// else (macOS, Windows, another Unix, another architecture) it refuses in one line at once, instead of opening files
/// with wrong flag values or failing on a missing <c>statx</c> half-way through a deploy.
/// </summary>
internal static class PlatformCheck
{
    /// <summary>Null where pbdeploy runs; else the one line that says why not and what to do.</summary>
    /// <param name="os">The operating system: <see cref="OSPlatform.Linux"/>, <see cref="OSPlatform.OSX"/>, ...</param>
    /// <param name="architecture">The process's architecture.</param>
    public static string? Refusal(OSPlatform os, Architecture architecture)
    {
        if (os == OSPlatform.Linux)
        {
            return LinuxAbi.For(architecture) is null
                ? $"pbdeploy runs on Linux (x64, arm64); this is Linux on {Name(architecture)}, whose C library constants pbdeploy has not verified; run it on an x64 or arm64 machine."
                : null;
        }

        return $"pbdeploy runs on Linux (x64, arm64); this is {Name(os)}; run it on the Linux server you deploy to (over ssh, or in a Linux container or VM).";
    }

    /// <summary>The refusal for the machine this process runs on; null where pbdeploy runs.</summary>
    public static string? Refusal() => Refusal(Current(), RuntimeInformation.ProcessArchitecture);

    /// <summary>Throws the refusal where pbdeploy cannot run: the core's entry points call it first.</summary>
    public static void ThrowIfUnsupported()
    {
        if (Refusal() is not null)
        {
            throw Unsupported();
        }
    }

    internal static EnvironmentException Unsupported() =>
        new(Refusal() ?? $"pbdeploy has no C library constants for {Name(RuntimeInformation.ProcessArchitecture)}.");

    private static OSPlatform Current() =>
        OperatingSystem.IsLinux() ? OSPlatform.Linux
        : OperatingSystem.IsMacOS() ? OSPlatform.OSX
        : OperatingSystem.IsWindows() ? OSPlatform.Windows
        : OperatingSystem.IsFreeBSD() ? OSPlatform.FreeBSD
        : OSPlatform.Create(RuntimeInformation.OSDescription);

    private static string Name(OSPlatform os) =>
        os == OSPlatform.OSX ? "macOS"
        : os == OSPlatform.Windows ? "Windows"
        : os == OSPlatform.FreeBSD ? "FreeBSD"
        : os.ToString();

    private static string Name(Architecture architecture) => architecture.ToString().ToLowerInvariant();
}
