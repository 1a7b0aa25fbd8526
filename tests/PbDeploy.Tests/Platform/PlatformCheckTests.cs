using System.Runtime.InteropServices;
using PbDeploy.Deployment;
using PbDeploy.Manifest;
using PbDeploy.Platform;
using PbDeploy.Processes;
using CpuArchitecture = System.Runtime.InteropServices.Architecture;

namespace PbDeploy.Tests.Platform;

/// <summary>
/// pbdeploy refuses, in one line, to run anywhere but Linux on x64 and arm64: the refusal for each other platform is
/// forced here through <see cref="PlatformCheck.Refusal(OSPlatform, CpuArchitecture)"/>, the function the core's entry
/// points and the command line call with the real platform.
/// </summary>
public sealed class PlatformCheckTests
{
    [Theory]
    [InlineData(CpuArchitecture.Arm64)]
    [InlineData(CpuArchitecture.X64)]
    public void macOS_is_refused_in_one_line(CpuArchitecture architecture) =>
        PlatformCheck.Refusal(OSPlatform.OSX, architecture).ShouldBe(
            "pbdeploy runs on Linux (x64, arm64); this is macOS; run it on the Linux server you deploy to (over ssh, or in a Linux container or VM).");

    [Fact]
    public void Windows_is_refused_in_one_line() =>
        PlatformCheck.Refusal(OSPlatform.Windows, CpuArchitecture.X64).ShouldBe(
            "pbdeploy runs on Linux (x64, arm64); this is Windows; run it on the Linux server you deploy to (over ssh, or in a Linux container or VM).");

    [Fact]
    public void FreeBSD_is_refused_in_one_line() =>
        PlatformCheck.Refusal(OSPlatform.FreeBSD, CpuArchitecture.X64)
            .ShouldBe("pbdeploy runs on Linux (x64, arm64); this is FreeBSD; run it on the Linux server you deploy to (over ssh, or in a Linux container or VM).");

    [Theory]
    [InlineData(CpuArchitecture.X86, "x86")]
    [InlineData(CpuArchitecture.Arm, "arm")]
    [InlineData(CpuArchitecture.RiscV64, "riscv64")]
    [InlineData(CpuArchitecture.S390x, "s390x")]
    [InlineData(CpuArchitecture.LoongArch64, "loongarch64")]
    public void Linux_on_an_architecture_whose_constants_are_not_verified_is_refused(CpuArchitecture architecture, string name) =>
        PlatformCheck.Refusal(OSPlatform.Linux, architecture).ShouldBe(
            $"pbdeploy runs on Linux (x64, arm64); this is Linux on {name}, whose C library constants pbdeploy has not verified; run it on an x64 or arm64 machine.");

    [Theory]
    [InlineData(CpuArchitecture.X64)]
    [InlineData(CpuArchitecture.Arm64)]
    public void Linux_on_x64_and_arm64_is_accepted(CpuArchitecture architecture) =>
        PlatformCheck.Refusal(OSPlatform.Linux, architecture).ShouldBeNull();

    [Fact]
    public void This_machine_is_accepted_and_the_entry_points_start()
    {
        PlatformCheck.Refusal().ShouldBeNull();
        Should.NotThrow(PlatformSupport.ThrowIfUnsupported);
        Should.NotThrow(() => new ProcessFinder());
    }

    [Fact]
    public void Every_refusal_is_one_line_that_names_the_platform()
    {
        foreach (var os in (OSPlatform[])[OSPlatform.OSX, OSPlatform.Windows, OSPlatform.FreeBSD, OSPlatform.Create("ILLUMOS")])
        {
            var refusal = PlatformCheck.Refusal(os, CpuArchitecture.X64).ShouldNotBeNull();
            refusal.ShouldNotContain('\n');
            refusal.ShouldStartWith("pbdeploy runs on Linux (x64, arm64); this is ");
        }

        PlatformCheck.Refusal(OSPlatform.Create("ILLUMOS"), CpuArchitecture.X64)!.ShouldContain("this is ILLUMOS;");
    }

    [Fact]
    public void The_core_entry_points_call_the_check_first()
    {
        // Read from the source, since the real platform cannot be swapped here: each public way in checks before any libc call.
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../source/PbDeploy"));
        foreach (var (file, member) in (ReadOnlySpan<(string, string)>)[
            ("Deployment/Deployer.cs", $"public {nameof(Deployer)}("),
            ("Processes/ProcessFinder.cs", $"public {nameof(ProcessFinder)}("),
            ("Manifest/ManifestLoader.cs", $"internal static {nameof(DeployManifest)} Load(string path, ManifestTrust trust)"),
            ("Deployment/TemplateRun.cs", $"public static IReadOnlyList<{nameof(ServiceRender)}> Render("),
            ("Deployment/TemplateCheck.cs", $"public static int {nameof(TemplateCheck.Check)}("),
            ("Import/PythonSettingsImporter.cs", "public async Task<ImportResult> ImportAsync(")])
        {
            var text = File.ReadAllText(Path.Combine(root, file));
            var start = text.IndexOf(member, StringComparison.Ordinal);
            start.ShouldBeGreaterThan(0, $"{member} in {file}");
            var body = text[start..text.IndexOf("\n    }", start, StringComparison.Ordinal)];
            body.ShouldContain("PlatformCheck.ThrowIfUnsupported();", customMessage: $"{member} in {file}");
        }
    }
}
