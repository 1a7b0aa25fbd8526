using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using CpuArchitecture = System.Runtime.InteropServices.Architecture;
using System.Text;
using System.Text.RegularExpressions;

namespace PbDeploy.Tests.Support;

/// <summary>
/// Checks C# copies of libc constants against a target's C headers, without running anything built for the target:
/// each value becomes a <c>_Static_assert</c> compiled with <c>-fsyntax-only</c> by the target's gcc (the host's
/// <c>gcc</c>, or a Debian cross compiler such as <c>aarch64-linux-gnu-gcc</c>), so an arm64 value is checked on an
/// x64 machine. A failed assertion names the constant; its C value is then read from a compiler diagnostic.
/// </summary>
internal static partial class CHeaders
{
    /// <summary>One value to check: <paramref name="Name"/> for messages, <paramref name="CExpression"/> its C side.</summary>
    /// <param name="Name">The C# name (<c>Libc.O_DIRECTORY</c>).</param>
    /// <param name="Value">The C# value.</param>
    /// <param name="CExpression">The C expression (<c>O_DIRECTORY</c>, <c>offsetof(struct statx, stx_uid)</c>).</param>
    /// <param name="AtLeast">The C# value is a buffer size, which must be at least the C value (not equal to it).</param>
    public sealed record Constant(string Name, long Value, string CExpression, bool AtLeast = false);

    /// <summary>Every header the checked constants come from.</summary>
    public const string Headers = """
        #define _GNU_SOURCE
        #include <dirent.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <limits.h>
        #include <signal.h>
        #include <spawn.h>
        #include <stddef.h>
        #include <unistd.h>
        #include <sys/file.h>
        #include <sys/socket.h>
        #include <sys/stat.h>
        #include <sys/types.h>
        #include <sys/wait.h>
        #include <netinet/in.h>
        #include <netinet/tcp.h>
        #include <linux/netlink.h>
        #include <linux/sock_diag.h>
        #include <linux/inet_diag.h>
        """;

    /// <summary>The gcc that compiles for <paramref name="target"/> here.</summary>
    public static string Compiler(CpuArchitecture target) =>
        target == RuntimeInformation.ProcessArchitecture ? "gcc" : $"{Triplet(target)}-gcc";

    /// <summary>The Debian package that has <see cref="Compiler"/>.</summary>
    public static string Package(CpuArchitecture target) =>
        target == RuntimeInformation.ProcessArchitecture ? "gcc" : $"gcc-{Triplet(target).Replace('_', '-')}";

    /// <summary>
    /// The constants whose value the target's headers contradict, one line each; empty when all agree. Fails the test
    /// (one line naming the Debian package) when the compiler is missing, and with the compiler's output when the source
    /// does not compile for another reason (a C name that does not exist).
    /// </summary>
    public static IReadOnlyList<string> Mismatches(CpuArchitecture target, IReadOnlyList<Constant> constants, IEnumerable<string>? extraAssertions = null)
    {
        var compiler = Compiler(target);
        if (FindOnPath(compiler) is null)
        {
            Assert.Fail($"{compiler} is not installed, so the {Name(target)} libc constants cannot be checked: install the Debian package {Package(target)} (apt-get install {Package(target)}).");
        }

        var source = new StringBuilder(Headers).Append('\n');
        source.Append(CultureInfo.InvariantCulture, $"#ifndef {Macro(target)}\n#error \"{compiler} does not compile for {Name(target)}\"\n#endif\n");
        for (var i = 0; i < constants.Count; i++)
        {
            var c = constants[i];
            var op = c.AtLeast ? ">=" : "==";
            source.Append(CultureInfo.InvariantCulture, $"_Static_assert(({c.Value}LL) {op} (long long)({c.CExpression}), \"constant {i}\");\n");
        }

        foreach (var assertion in extraAssertions ?? [])
        {
            source.Append(CultureInfo.InvariantCulture, $"_Static_assert({assertion}, \"layout {Escape(assertion)}\");\n");
        }

        var (code, output) = Compile(compiler, source.ToString());
        var failed = FailedAssertion().Matches(output).Select(m => m.Groups[1].Value).ToList();
        if (code != 0 && failed.Count == 0)
        {
            Assert.Fail($"{compiler} could not compile the constants check:\n{output}");
        }

        var values = failed.Any(f => f.StartsWith("constant ", StringComparison.Ordinal)) ? Values(compiler, constants) : [];
        return [.. failed.Select(f =>
        {
            if (!f.StartsWith("constant ", StringComparison.Ordinal))
            {
                return $"{Name(target)}: {f[7..]} does not hold";
            }

            var c = constants[int.Parse(f[9..], CultureInfo.InvariantCulture)];
            var actual = values.TryGetValue(c.CExpression, out var v) ? Show(v) : "another value";
            return c.AtLeast
                ? $"{c.Name} is {Show(c.Value)}, less than {c.CExpression} = {actual} on {Name(target)}"
                : $"{c.Name} is {Show(c.Value)}, but {c.CExpression} is {actual} on {Name(target)}";
        })];
    }

    /// <summary>
    /// The C values of <paramref name="constants"/> (the non-negative ones), read without running anything: the compiler
    /// names the type <c>char (*)[N]</c> of a pointer to an array of each value's length in a diagnostic.
    /// </summary>
    private static Dictionary<string, long> Values(string compiler, IReadOnlyList<Constant> constants)
    {
        var source = new StringBuilder(Headers).Append('\n');
        var expressions = constants.Select(c => c.CExpression).Distinct().ToList();
        for (var i = 0; i < expressions.Count; i++)
        {
            source.Append(CultureInfo.InvariantCulture, $"void probe{i}(void) {{ char (*p)[({expressions[i]}) >= 0 ? ({expressions[i]}) + 1 : 1] = 1; (void)p; }}\n");
        }

        var (_, output) = Compile(compiler, source.ToString());
        var values = new Dictionary<string, long>();
        foreach (Match m in ProbeType().Matches(output))
        {
            var index = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var length = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            values.TryAdd(expressions[index], length - 1);
        }

        return values;
    }

    private static (int Code, string Output) Compile(string compiler, string source)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pbdeploy-abi-{Environment.ProcessId}-{Guid.NewGuid():N}.c");
        File.WriteAllText(file, source);
        try
        {
            var start = new ProcessStartInfo(compiler)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["-fsyntax-only", "-std=gnu11", "-fmax-errors=0", "-fno-diagnostics-color", file])
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["LC_ALL"] = "C";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill();
                Assert.Fail($"{compiler} did not finish within 60 s");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    private static string Triplet(CpuArchitecture target) => target switch
    {
        CpuArchitecture.X64 => "x86_64-linux-gnu",
        CpuArchitecture.Arm64 => "aarch64-linux-gnu",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "only x64 and arm64 are checked"),
    };

    private static string Macro(CpuArchitecture target) => target == CpuArchitecture.X64 ? "__x86_64__" : "__aarch64__";

    private static string Name(CpuArchitecture target) => target.ToString().ToLowerInvariant();

    private static string Show(long value) => value < 0
        ? value.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{value} (0x{value:X})");

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    [GeneratedRegex("static assertion failed: \"([^\"]*)\"")]
    private static partial Regex FailedAssertion();

    [GeneratedRegex(@"In function 'probe(\d+)':\n[^\n]*'char \(\*\)\[(\d+)\]'")]
    private static partial Regex ProbeType();
}
