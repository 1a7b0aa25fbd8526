using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// The tool packages that <c>./build.sh --target=Pack</c> leaves in artifacts/packages: the pointer package PbDeploy.Tool,
/// NativeAOT PbDeploy.Tool.linux-x64 and .linux-arm64, framework-dependent .linux-musl-x64 and .any. Installs run
/// <c>dotnet tool install --tool-path</c> into a temporary folder, from the folder feed alone, with a NuGet cache of
/// their own (a package of the same version packed earlier must never stand in for this build's).
/// </summary>
public sealed class PackageTests
{
    private const int EmX8664 = 62;
    private const int EmAarch64 = 183;

    [PackageFact("PbDeploy.Tool", "PbDeploy.Tool.linux-x64", NeedsX64 = true, Timeout = 180_000)]
    public async Task Installed_tool_on_x64_is_the_NativeAOT_executable_and_runs_without_dotnet()
    {
        using var dir = new TempDirectory();
        var command = await InstallAsync(dir);

        // The command is the executable itself (or a link to it), not an apphost that starts dotnet with a dll.
        var executable = new FileInfo(command).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? command;
        Elf.Machine(executable).ShouldBe(EmX8664, $"{executable} is not an x86-64 ELF executable");
        new FileInfo(executable).Length.ShouldBeGreaterThan(2_000_000, $"{executable} is the size of an apphost, not of the NativeAOT executable");
        Directory.GetFiles(Path.GetDirectoryName(executable)!, "*.dll").ShouldBeEmpty($"the NativeAOT package holds no managed code beside {executable}");

        // Without dotnet on PATH and without DOTNET_ROOT: nothing of a .NET install can be found this way.
        var result = await RunAsync(dir, command, ["--version"], withoutDotnet: true);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.Trim().ShouldBe(BuildInfo.InformationalVersion);
    }

    [PackageFact("PbDeploy.Tool", "PbDeploy.Tool.linux-x64", NeedsX64 = true, Timeout = 180_000)]
    public async Task Installed_tool_shows_the_status_of_a_running_service()
    {
        using var dir = new TempDirectory();
        var command = await InstallAsync(dir);
        using var web = await TestService.StartAsync(dir);
        var idle = TestService.FreePort();
        var manifest = dir.Write("app/pbdeploy.json", $$"""
            { "services": { "web": { "port": {{web.Port}}, "start": "true" }, "idle": { "port": {{idle}}, "start": "true" } } }
            """);

        var result = await RunAsync(dir, command, ["status", "--json", "--manifest", manifest], withoutDotnet: true);

        result.ExitCode.ShouldBe(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var services = json.RootElement.EnumerateArray().ToList();
        services.Select(s => s.GetProperty("name").GetString()).ShouldBe(["web", "idle"]);
        services[0].GetProperty("state").GetString().ShouldBe("running");
        services[0].GetProperty("pid").GetInt32().ShouldBe(web.Pid);
        services[1].GetProperty("state").GetString().ShouldBe("stopped");
    }

    [PackageFact("PbDeploy.Tool")]
    public void Pointer_package_names_the_RID_packages_and_holds_no_code()
    {
        using var package = Packages.Open("PbDeploy.Tool");

        package.Entries.Select(e => e.FullName).Where(n => n.StartsWith("tools/", StringComparison.Ordinal)).ShouldBe(["tools/any/any/DotnetToolSettings.xml"]);
        var settings = Packages.ToolSettings(package, "tools/any/any/DotnetToolSettings.xml");
        settings.Descendants("RuntimeIdentifierPackage")
            .Select(p => $"{p.Attribute("RuntimeIdentifier")?.Value}={p.Attribute("Id")?.Value}")
            .ShouldBe([
                "linux-x64=PbDeploy.Tool.linux-x64", "linux-arm64=PbDeploy.Tool.linux-arm64",
                "linux-musl-x64=PbDeploy.Tool.linux-musl-x64",
                "any=PbDeploy.Tool.any",
            ]);
        Packages.PackageTypes(package).ShouldBe(["DotnetTool"]);
    }

    [PackageFact("PbDeploy.Tool.linux-x64")]
    public void Linux_x64_package_holds_the_x86_64_executable_of_this_build() =>
        CheckNativePackage("linux-x64", EmX8664);

    [PackageFact("PbDeploy.Tool.linux-arm64")]
    public void Linux_arm64_package_holds_the_aarch64_executable_of_this_build() =>
        CheckNativePackage("linux-arm64", EmAarch64);

    [PackageFact("PbDeploy.Tool.any", Timeout = 60_000)]
    public async Task Any_package_holds_the_framework_dependent_tool_of_this_build_and_it_runs() =>
        await CheckFrameworkDependentPackageAsync("any");

    // The RID graph makes a linux-musl-x64 machine a linux-x64 one: without this package it would get the glibc executable.
    [PackageFact("PbDeploy.Tool.linux-musl-x64", Timeout = 60_000)]
    public async Task Linux_musl_x64_package_holds_the_framework_dependent_tool_of_this_build() =>
        await CheckFrameworkDependentPackageAsync("linux-musl-x64");

    /// <summary>A framework-dependent package: pbdeploy.dll of this build, run by dotnet; it runs here too (the dll is portable).</summary>
    private static async Task CheckFrameworkDependentPackageAsync(string rid, [CallerMemberName] string name = "")
    {
        using var dir = new TempDirectory(name);
        var folder = $"tools/net10.0/{rid}/";
        using (var package = Packages.Open($"PbDeploy.Tool.{rid}"))
        {
            Packages.PackageTypes(package).ShouldBe(["DotnetToolRidPackage"]);
            var command = Packages.ToolSettings(package, folder + "DotnetToolSettings.xml").Descendants("Command").Single();
            command.Attribute("Runner")?.Value.ShouldBe("dotnet");
            command.Attribute("EntryPoint")?.Value.ShouldBe("pbdeploy.dll");
            package.Entries.ShouldNotContain(e => e.Name == "pbdeploy", $"the {rid} package holds no native executable");
            foreach (var entry in package.Entries.Where(e => e.FullName.StartsWith(folder, StringComparison.Ordinal)))
            {
                entry.ExtractToFile(Path.Combine(dir.Path, entry.Name));
            }
        }

        var dll = dir.Combine("pbdeploy.dll");
        using (var pe = new PEReader(File.OpenRead(dll)))
        {
            pe.HasMetadata.ShouldBeTrue($"{dll} is not a managed assembly");
            InformationalVersion(pe.GetMetadataReader()).ShouldBe(BuildInfo.InformationalVersion,
                $"the {rid} package was packed from another commit: run ./build.sh --target=Pack again");
        }

        var result = await RunAsync(dir, "dotnet", [dll, "--version"], withoutDotnet: false);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.Trim().ShouldBe(BuildInfo.InformationalVersion);
    }

    private static void CheckNativePackage(string rid, int machine)
    {
        using var package = Packages.Open($"PbDeploy.Tool.{rid}");

        Packages.PackageTypes(package).ShouldBe(["DotnetToolRidPackage"]);
        var command = Packages.ToolSettings(package, $"tools/any/{rid}/DotnetToolSettings.xml").Descendants("Command").Single();
        command.Attribute("Runner")?.Value.ShouldBe("executable");
        command.Attribute("EntryPoint")?.Value.ShouldBe("pbdeploy");
        // The executable alone: no managed code, no native symbols, no pdbs.
        package.Entries.Select(e => e.FullName).Where(n => n.StartsWith("tools/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .ShouldBe([$"tools/any/{rid}/DotnetToolSettings.xml", $"tools/any/{rid}/pbdeploy"]);

        var entry = package.GetEntry($"tools/any/{rid}/pbdeploy")!;
        var bytes = new byte[entry.Length];
        using (var stream = entry.Open())
        {
            stream.ReadExactly(bytes);
        }

        Elf.Machine(bytes).ShouldBe(machine, $"tools/any/{rid}/pbdeploy of {Packages.PathOf($"PbDeploy.Tool.{rid}")} is not an ELF executable for e_machine {machine}");
        Elf.Type(bytes).ShouldBe(3, "a position-independent executable (ET_DYN), as NativeAOT links them");
        // The version that --version prints is a string literal in the executable (UTF-16, as .NET strings are), and it
        // carries the commit: the executable was built from the source these tests were built from. NativeAOT stores its
        // data dehydrated, which may drop zero bytes after the last character: the last byte is not compared.
        var version = Encoding.Unicode.GetBytes(BuildInfo.InformationalVersion)[..^1];
        bytes.AsSpan().IndexOf(version).ShouldBeGreaterThanOrEqualTo(0,
            $"tools/any/{rid}/pbdeploy does not hold the version '{BuildInfo.InformationalVersion}': it was packed from another commit; run ./build.sh --target=Pack again");
    }

    private static string? InformationalVersion(MetadataReader reader)
    {
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind == HandleKind.TypeReference
                && reader.GetString(reader.GetTypeReference((TypeReferenceHandle)parent).Name) == "AssemblyInformationalVersionAttribute")
            {
                var blob = reader.GetBlobReader(attribute.Value);
                blob.ReadUInt16(); // prolog 0x0001
                return blob.ReadSerializedString();
            }
        }

        return null;
    }

    /// <summary>Installs PbDeploy.Tool from the folder feed into a tool path under <paramref name="dir"/>; returns the command's path.</summary>
    private static async Task<string> InstallAsync(TempDirectory dir)
    {
        // Only the folder feed: nuget.org is not asked, and may hold another package of this name.
        var config = dir.Write("nuget.config", """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /></packageSources></configuration>
            """);
        var toolPath = dir.Combine("tools");
        var result = await RunAsync(dir, "dotnet",
            ["tool", "install", "--tool-path", toolPath, "--configfile", config, "--add-source", Packages.Feed, "PbDeploy.Tool", "--version", Packages.Version],
            withoutDotnet: false,
            ("NUGET_PACKAGES", dir.Combine("nuget-cache")),
            ("DOTNET_CLI_HOME", dir.Path));
        result.ExitCode.ShouldBe(0, $"dotnet tool install failed:\n{result.Stdout}\n{result.Stderr}");
        var command = Path.Combine(toolPath, "pbdeploy");
        File.Exists(command).ShouldBeTrue($"dotnet tool install left no {command}:\n{result.Stdout}");
        return command;
    }

    /// <summary>Runs a process with its output in files (no pipes), a 120 s timeout, and the process killed by pid if it overruns.</summary>
    private static async Task<RunResult> RunAsync(TempDirectory dir, string file, string[] args, bool withoutDotnet, params (string Name, string Value)[] environment)
    {
        var stdoutFile = dir.Combine($"stdout-{Guid.NewGuid():N}.txt");
        var stderrFile = dir.Combine($"stderr-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = dir.Path };
        foreach (var arg in (string[])["-c", "exec \"$@\" </dev/null >\"$OUT\" 2>\"$ERR\"", "sh", file, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OUT"] = stdoutFile;
        start.Environment["ERR"] = stderrFile;
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        if (withoutDotnet)
        {
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(name);
            }

            // /bin/sh is started by its full path; after its exec nothing is looked up on PATH.
            start.Environment["PATH"] = dir.Combine("empty-path");
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 120 s");
        }

        return new RunResult(process.ExitCode, await File.ReadAllTextAsync(stdoutFile), await File.ReadAllTextAsync(stderrFile));
    }

    private sealed record RunResult(int ExitCode, string Stdout, string Stderr);

    private static class Elf
    {
        public static int Machine(string path) => Machine(File.ReadAllBytes(path).AsSpan(0, 64).ToArray());

        /// <summary>e_machine of a 64-bit little-endian ELF file, or -1 when it is not one.</summary>
        public static int Machine(byte[] header) =>
            IsElf64(header) ? BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18, 2)) : -1;

        public static int Type(byte[] header) =>
            IsElf64(header) ? BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(16, 2)) : -1;

        // \x7fELF, EI_CLASS 2 (64-bit), EI_DATA 1 (little-endian).
        private static bool IsElf64(byte[] header) =>
            header.Length >= 64 && header.AsSpan(0, 4).SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']) && header[4] == 2 && header[5] == 1;
    }
}

/// <summary>artifacts/packages of this clone, and the packages of this build's version in it.</summary>
internal static class Packages
{
    public static readonly string Feed = Path.Combine(RepositoryRoot(), "artifacts", "packages");

    /// <summary>The package version: the informational version without its commit.</summary>
    public static readonly string Version = BuildInfo.InformationalVersion.Split('+')[0];

    public static string PathOf(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>The one line a missing package fails (CI=true) or skips with.</summary>
    public static string? Missing(IEnumerable<string> ids)
    {
        var missing = ids.Where(id => !File.Exists(PathOf(id))).Select(id => Path.GetFileName(PathOf(id))).ToList();
        return missing.Count == 0 ? null : $"{Feed} has no {string.Join(", ", missing)}: run ./build.sh --target=Pack first";
    }

    public static ZipArchive Open(string id)
    {
        var path = PathOf(id);
        if (!File.Exists(path))
        {
            Assert.Fail(Missing([id]));
        }

        return ZipFile.OpenRead(path);
    }

    public static XDocument ToolSettings(ZipArchive package, string entryName)
    {
        var entry = package.GetEntry(entryName);
        entry.ShouldNotBeNull($"the package has no {entryName}; it has: {string.Join(", ", package.Entries.Select(e => e.FullName))}");
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }

    public static IEnumerable<string> PackageTypes(ZipArchive package)
    {
        var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => e.Attribute("name")!.Value).ToList();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PbDeploy.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no PbDeploy.slnx above {AppContext.BaseDirectory}: the package tests run from a build in the repository");
    }
}

/// <summary>
/// A test of packages in artifacts/packages. Where one is missing the test is skipped, visibly, with the line that says
/// how to make it; under CI=true nothing is skipped: the test runs and fails with that line.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PackageFactAttribute : FactAttribute
{
    public PackageFactAttribute(params string[] packageIds)
    {
        var missing = Packages.Missing(packageIds);
        if (missing is not null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = missing;
        }
    }

    /// <summary>The test installs what linux-x64 gets: on another machine the pointer package picks another one.</summary>
    public bool NeedsX64
    {
        get => field;
        set
        {
            field = value;
            if (value && RuntimeInformation.OSArchitecture != Architecture.X64)
            {
                Skip = $"installs the linux-x64 package: needs an x64 machine, this one is {RuntimeInformation.OSArchitecture}";
            }
        }
    }
}
