using System.Reflection;
using System.Runtime.InteropServices;
using CpuArchitecture = System.Runtime.InteropServices.Architecture;
using System.Text;
using PbDeploy.Platform;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Platform;

/// <summary>
/// Every libc constant and struct offset the core uses (<see cref="Libc"/>, <see cref="LinuxAbi"/>) against the C
/// headers of x64 and arm64: the host's gcc and Debian's cross compiler (gcc-aarch64-linux-gnu on an x64 machine).
/// Nothing built for arm64 runs here (qemu-user hangs running .NET); the compiler evaluates each value as a static
/// assertion instead.
/// </summary>
public sealed class LinuxAbiTests
{
    /// <summary>The C side of each constant whose C name is not its C# name.</summary>
    private static readonly Dictionary<string, (string C, bool AtLeast)> CNames = new()
    {
        ["SC_CLK_TCK"] = ("_SC_CLK_TCK", false),
        ["NLM_F_REQUEST_DUMP"] = ("NLM_F_REQUEST | NLM_F_DUMP", false),
        ["SpawnAttrBytes"] = ("sizeof(posix_spawnattr_t)", true),
        ["SpawnFileActionsBytes"] = ("sizeof(posix_spawn_file_actions_t)", true),
        ["SigsetBytes"] = ("sizeof(sigset_t)", true),
        ["StatxLayout.Size"] = ("sizeof(struct statx)", false),
        ["StatxLayout.Nlink"] = ("offsetof(struct statx, stx_nlink)", false),
        ["StatxLayout.Uid"] = ("offsetof(struct statx, stx_uid)", false),
        ["StatxLayout.Gid"] = ("offsetof(struct statx, stx_gid)", false),
        ["StatxLayout.Mode"] = ("offsetof(struct statx, stx_mode)", false),
        ["StatxLayout.Ino"] = ("offsetof(struct statx, stx_ino)", false),
        ["StatxLayout.FileSize"] = ("offsetof(struct statx, stx_size)", false),
        ["StatxLayout.MtimeSeconds"] = ("offsetof(struct statx, stx_mtime.tv_sec)", false),
        ["StatxLayout.MtimeNanoseconds"] = ("offsetof(struct statx, stx_mtime.tv_nsec)", false),
        ["StatxLayout.DevMajor"] = ("offsetof(struct statx, stx_dev_major)", false),
        ["StatxLayout.DevMinor"] = ("offsetof(struct statx, stx_dev_minor)", false),
        ["Dirent64Layout.RecordLength"] = ("offsetof(struct dirent64, d_reclen)", false),
        ["Dirent64Layout.Name"] = ("offsetof(struct dirent64, d_name)", false),
        ["InetDiagLayout.SockaddrNlSize"] = ("sizeof(struct sockaddr_nl)", false),
        ["InetDiagLayout.NlmsghdrSize"] = ("sizeof(struct nlmsghdr)", false),
        ["InetDiagLayout.RequestSize"] = ("sizeof(struct inet_diag_req_v2)", false),
        ["InetDiagLayout.RequestStates"] = ("offsetof(struct inet_diag_req_v2, idiag_states)", false),
        ["InetDiagLayout.RequestSourcePort"] = ("offsetof(struct inet_diag_req_v2, id.idiag_sport)", false),
        ["InetDiagLayout.MessageSize"] = ("sizeof(struct inet_diag_msg)", false),
        ["InetDiagLayout.MessageState"] = ("offsetof(struct inet_diag_msg, idiag_state)", false),
        ["InetDiagLayout.MessageSourcePort"] = ("offsetof(struct inet_diag_msg, id.idiag_sport)", false),
        ["InetDiagLayout.MessageUid"] = ("offsetof(struct inet_diag_msg, idiag_uid)", false),
        ["InetDiagLayout.MessageInode"] = ("offsetof(struct inet_diag_msg, idiag_inode)", false),
        ["InetDiagLayout.BytecodeOpSize"] = ("sizeof(struct inet_diag_bc_op)", false),
    };

    /// <summary>
    /// The widths the code reads fields and passes arguments with (a <c>ushort</c> mode, a <c>long</c> offset ...),
    /// and the layout of what it writes, which no single constant says.
    /// </summary>
    private static readonly string[] Layout =
    [
        "sizeof(((struct statx *)0)->stx_nlink) == 4",
        "sizeof(((struct statx *)0)->stx_uid) == 4",
        "sizeof(((struct statx *)0)->stx_gid) == 4",
        "sizeof(((struct statx *)0)->stx_mode) == 2",
        "sizeof(((struct statx *)0)->stx_ino) == 8",
        "sizeof(((struct statx *)0)->stx_size) == 8",
        "sizeof(((struct statx *)0)->stx_mtime.tv_sec) == 8",
        "sizeof(((struct statx *)0)->stx_mtime.tv_nsec) == 4",
        "sizeof(((struct statx *)0)->stx_dev_major) == 4",
        "sizeof(((struct statx *)0)->stx_dev_minor) == 4",
        "sizeof(((struct dirent64 *)0)->d_reclen) == 2",
        "sizeof(((struct inet_diag_msg *)0)->idiag_uid) == 4",
        "sizeof(((struct inet_diag_msg *)0)->idiag_inode) == 4",
        "sizeof(((struct inet_diag_msg *)0)->id.idiag_sport) == 2",
        "offsetof(struct inet_diag_req_v2, sdiag_family) == 0",
        "offsetof(struct inet_diag_req_v2, sdiag_protocol) == 1",
        "offsetof(struct inet_diag_bc_op, code) == 0",
        "offsetof(struct inet_diag_bc_op, yes) == 1",
        "offsetof(struct inet_diag_bc_op, no) == 2",
        "offsetof(struct nlmsghdr, nlmsg_len) == 0",
        "offsetof(struct nlmsghdr, nlmsg_type) == 4",
        "offsetof(struct nlmsghdr, nlmsg_flags) == 6",
        "offsetof(struct nlmsghdr, nlmsg_seq) == 8",
        "offsetof(struct sockaddr_nl, nl_family) == 0",
        "sizeof(off_t) == 8",
        "sizeof(pid_t) == 4",
        "sizeof(uid_t) == 4",
        "sizeof(gid_t) == 4",
        "sizeof(mode_t) == 4",
        "sizeof(long) == 8",
        "sizeof(size_t) == 8",
        "sizeof(short) == 2",
        "__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__",

        // ChildProcess decodes a wait status as status & 0x7f (the signal) and (status >> 8) & 0xff (the exit code).
        "WIFEXITED(0x2a00) && WEXITSTATUS(0x2a00) == ((0x2a00 >> 8) & 0xff)",
        "WIFSIGNALED(0x0009) && WTERMSIG(0x0009) == (0x0009 & 0x7f)",
        "!WIFSIGNALED(0x2a00) && (0x2a00 & 0x7f) == 0",
    ];

    [Fact]
    public void Every_constant_matches_the_x64_C_headers() =>
        CHeaders.Mismatches(CpuArchitecture.X64, Constants(LinuxAbi.X64), Layout).ShouldBeEmpty();

    [Fact]
    public void Every_constant_matches_the_arm64_C_headers() =>
        CHeaders.Mismatches(CpuArchitecture.Arm64, Constants(LinuxAbi.Arm64), Layout).ShouldBeEmpty();

    [Fact]
    public void The_other_architectures_open_flags_fail_the_check_by_name()
    {
        // The check can fail: the host's headers refuse the other architecture's values, naming exactly those two.
        var host = RuntimeInformation.ProcessArchitecture;
        var other = host == CpuArchitecture.X64 ? LinuxAbi.Arm64 : LinuxAbi.X64;

        var mismatches = CHeaders.Mismatches(host, Constants(other));

        mismatches.Count.ShouldBe(2, string.Join("\n", mismatches));
        mismatches.ShouldContain(m => m.StartsWith("Libc.O_DIRECTORY is ", StringComparison.Ordinal) && m.Contains("but O_DIRECTORY is ", StringComparison.Ordinal));
        mismatches.ShouldContain(m => m.StartsWith("Libc.O_NOFOLLOW is ", StringComparison.Ordinal));
        var expected = LinuxAbi.For(host)!.O_DIRECTORY;
        mismatches.ShouldContain(m => m.Contains($"O_DIRECTORY is {expected} (0x{expected:X}) on", StringComparison.Ordinal));
    }

    [Fact]
    public void A_buffer_smaller_than_the_C_type_fails_the_check()
    {
        var host = RuntimeInformation.ProcessArchitecture;

        var mismatches = CHeaders.Mismatches(host, [new CHeaders.Constant("Libc.SpawnAttrBytes", 64, "sizeof(posix_spawnattr_t)", AtLeast: true)]);

        mismatches.ShouldHaveSingleItem().ShouldStartWith("Libc.SpawnAttrBytes is 64 (0x40), less than sizeof(posix_spawnattr_t) = 336 (0x150) on ");
    }

    [Fact]
    public void A_C_name_that_does_not_exist_fails_the_check()
    {
        Should.Throw<Exception>(() => CHeaders.Mismatches(RuntimeInformation.ProcessArchitecture, [new CHeaders.Constant("Libc.O_NOSUCH", 1, "O_NOSUCH")]))
            .Message.ShouldContain("O_NOSUCH");
    }

    [Fact]
    public void The_values_in_use_are_those_of_the_architecture_this_process_runs_on()
    {
        LinuxAbi.Current.ShouldBeSameAs(LinuxAbi.For(RuntimeInformation.ProcessArchitecture));
        LinuxAbi.Current.Architecture.ShouldBe(RuntimeInformation.ProcessArchitecture);
        Libc.O_DIRECTORY.ShouldBe(LinuxAbi.Current.O_DIRECTORY);
        Libc.O_NOFOLLOW.ShouldBe(LinuxAbi.Current.O_NOFOLLOW);
        LinuxAbi.For(CpuArchitecture.X86).ShouldBeNull();
        LinuxAbi.For(CpuArchitecture.Arm).ShouldBeNull();
        LinuxAbi.For(CpuArchitecture.RiscV64).ShouldBeNull();
    }

    [Fact]
    public void The_kernel_honours_the_open_flags_in_use()
    {
        // What the flags are for, on this machine's kernel: a file is not opened as a folder, a link is not followed.
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Path, "file");
        File.WriteAllText(file, "x");
        var link = Path.Combine(temp.Path, "link");
        File.CreateSymbolicLink(link, file);

        NativeFile.Open(Libc.AT_FDCWD, file, Libc.O_RDONLY | Libc.O_DIRECTORY).ShouldBe(-1);
        Libc.LastError.ShouldBe(Libc.ENOTDIR);
        NativeFile.Open(Libc.AT_FDCWD, link, Libc.O_RDONLY | Libc.O_NOFOLLOW).ShouldBe(-1);
        Libc.LastError.ShouldBe(Libc.ELOOP);
        var folder = NativeFile.Open(Libc.AT_FDCWD, temp.Path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW);
        folder.ShouldBeGreaterThanOrEqualTo(0);
        NativeFile.Close(folder);
    }

    [Fact]
    public void Libc_constants_live_only_in_Libc()
    {
        // A constant with a C name elsewhere in the core would escape the check above.
        var cNamed = new System.Text.RegularExpressions.Regex(
            "^(O|AT|F|FD|S|STATX|POSIX_SPAWN|SIG|SOCK|AF|PF|NLM|NLMSG|NETLINK|INET_DIAG|TCP|IPPROTO|LOCK|SC|W)_[A-Z0-9_]+$|^E[A-Z0-9]{2,}$");
        var stray = (from type in typeof(Libc).Assembly.GetTypes()
                     where type != typeof(Libc) && type.DeclaringType != typeof(Libc)
                     from field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
                     where field.IsLiteral && cNamed.IsMatch(field.Name)
                     select $"{type.FullName}.{field.Name}").ToList();
        stray.ShouldBeEmpty("move these to Platform/Libc.Constants.cs, where LinuxAbiTests checks them");
    }

    /// <summary>
    /// Every constant of <see cref="Libc"/> and its nested layouts, by reflection (so a new one is checked without being
    /// listed), with <paramref name="abi"/>'s values for the ones that differ between architectures.
    /// </summary>
    private static List<CHeaders.Constant> Constants(LinuxAbi abi)
    {
        var constants = new List<CHeaders.Constant>();
        foreach (var type in (Type[])[typeof(Libc), .. typeof(Libc).GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic)])
        {
            var prefix = type == typeof(Libc) ? "" : type.Name + ".";
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static).Where(f => f.IsLiteral))
            {
                var name = prefix + field.Name;
                var (c, atLeast) = CNames.TryGetValue(name, out var mapped) ? mapped : (name, false);
                constants.Add(new CHeaders.Constant("Libc." + name, Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture), c, atLeast));
            }
        }

        foreach (var property in typeof(LinuxAbi).GetProperties().Where(p => p.PropertyType == typeof(int)))
        {
            constants.Add(new CHeaders.Constant("Libc." + property.Name, (int)property.GetValue(abi)!, property.Name));
        }

        var unmapped = CNames.Keys.Where(k => constants.All(c => c.Name != "Libc." + k)).ToList();
        unmapped.ShouldBeEmpty("CNames entries for constants that no longer exist");
        constants.Count.ShouldBeGreaterThan(80);
        return constants;
    }
}
