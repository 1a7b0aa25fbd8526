using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace PbDeploy.Platform;

/// <summary>
/// The libc values that differ between the Linux architectures pbdeploy runs on; every other constant in
/// <see cref="Libc"/> is the same on x64 and arm64 (the ABI test compiles each against both targets' headers).
/// x86-64 keeps the historical i386 open flags, arm64 uses the kernel's generic ones: there 0x10000 and 0x20000
/// mean <c>O_DIRECT</c> and <c>O_LARGEFILE</c>.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed record LinuxAbi(Architecture Architecture, int O_DIRECTORY, int O_NOFOLLOW)
{
    public static readonly LinuxAbi X64 = new(Architecture.X64, O_DIRECTORY: 0x10000, O_NOFOLLOW: 0x20000);

    public static readonly LinuxAbi Arm64 = new(Architecture.Arm64, O_DIRECTORY: 0x4000, O_NOFOLLOW: 0x8000);

    private static readonly LinuxAbi? Running = For(RuntimeInformation.ProcessArchitecture);

    /// <summary>The values for the architecture this process runs on; refused (<see cref="PlatformCheck"/>) on any other.</summary>
    public static LinuxAbi Current => Running ?? throw PlatformCheck.Unsupported();

    /// <summary>The values for <paramref name="architecture"/>; null for one whose values were never checked.</summary>
    public static LinuxAbi? For(Architecture architecture) => architecture switch
    {
        Architecture.X64 => X64,
        Architecture.Arm64 => Arm64,
        _ => null,
    };
}
