using System.Reflection;
using System.Runtime.InteropServices;
using PbDeploy.Tests.Support;
using CpuArchitecture = System.Runtime.InteropServices.Architecture;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// The command line's own libc constants (it calls fcntl, open and dup2 before the core, reads errno of a failed
/// write, and ignores SIGUSR1 and SIGUSR2 by number), against the C headers of x64 and arm64 as the core's are in LinuxAbiTests.
/// </summary>
public sealed class LibcConstantsTests
{
    /// <summary>Each constant by type and field, with its C name.</summary>
    private static readonly (Type Type, string Field, string C)[] Used =
    [
        (typeof(StandardStreams), "FGetFd", "F_GETFD"),
        (typeof(StandardStreams), "ORdWr", "O_RDWR"),
        (typeof(StandardStreams), "EBADF", "EBADF"),
        (typeof(StandardStreams), "FdCloexec", "FD_CLOEXEC"),
        (typeof(GuardedWriter), "EPIPE", "EPIPE"),
        (typeof(GuardedWriter), "EBADF", "EBADF"),
        (typeof(Interruption), "SIGUSR1", "SIGUSR1"),
        (typeof(Interruption), "SIGUSR2", "SIGUSR2"),
    ];

    [Theory]
    [InlineData(CpuArchitecture.X64)]
    [InlineData(CpuArchitecture.Arm64)]
    public void Every_constant_matches_the_C_headers(CpuArchitecture target) =>
        CHeaders.Mismatches(target, Constants()).ShouldBeEmpty();

    [Fact]
    public void Every_integer_constant_of_those_types_is_checked()
    {
        var all = (from type in Used.Select(u => u.Type).Distinct()
                   from field in type.GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)
                   where field.IsLiteral && field.FieldType == typeof(int)
                   select (type, field.Name)).ToList();
        all.ShouldBe(Used.Select(u => (u.Type, u.Field)), ignoreOrder: true);
    }

    private static List<CHeaders.Constant> Constants() =>
    [
        .. Used.Select(u => new CHeaders.Constant(
            $"{u.Type.Name}.{u.Field}",
            (int)u.Type.GetField(u.Field, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!,
            u.C)),
    ];
}
