// PbDeploy's own build. Run it through ./build.sh or build.cmd (they restore the pinned Cake first):
//   ./build.sh                          same as --target=Test
//   ./build.sh --target=Build           restore and build the solution
//   ./build.sh --target=Test            build, then run every test project
//   ./build.sh --target=Pack            build, then pack the NuGet packages into artifacts/packages: the core, the Cake
//                                       addin, and the tool (PbDeploy.Tool and its RID packages: NativeAOT linux-x64 and
//                                       linux-arm64, framework-dependent any); --no-arm64 leaves linux-arm64 out
//   ./build.sh --target=PublishAot      publish the pbdeploy CLI with NativeAOT into artifacts/aot
//   ./build.sh --target=Demo            build, then deploy examples/quickstart with the Cake addin (build/deploy.cake); --quick skips before/after
//   ./build.sh --target=DemoStop        stop the services of examples/quickstart (the same way)
//   ./build.sh --target=Clean           remove artifacts/ and every bin/ and obj/
// Options: --configuration=Release|Debug (default Release).
// linux-arm64 is cross-compiled on an x64 machine: it needs clang, lld, binutils-aarch64-linux-gnu and Debian's arm64
// libc and zlib (dpkg --add-architecture arm64; apt-get install libc6-dev:arm64 zlib1g-dev:arm64); .ci/run installs them.

using System.Text.RegularExpressions;

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");

// Cake runs with the script's folder as working directory; everything below is anchored on the repository root.
var root = MakeAbsolute(Directory(".."));
var solution = root.CombineWithFilePath("PbDeploy.slnx");
var cliProject = root.CombineWithFilePath("source/PbDeploy.Cli/PbDeploy.Cli.csproj");
var artifacts = root.Combine("artifacts");
var packagesDir = artifacts.Combine("packages");
var aotDir = artifacts.Combine("aot");
var testResultsDir = artifacts.Combine("test-results");
var addinDir = artifacts.Combine("cake-addin");
// The RID packages of PbDeploy.Tool: the same list as ToolPackageRuntimeIdentifiers in source/PbDeploy.Cli/PbDeploy.Cli.csproj.
var toolRids = new[] { "linux-x64", "linux-arm64", "linux-musl-x64", "any" };

Task("Clean")
    .Description("Removes artifacts/ and the bin/ and obj/ folders of every project.")
    .Does(() =>
{
    CleanDirectory(artifacts);
    CleanDirectories(root.FullPath + "/source/**/bin");
    CleanDirectories(root.FullPath + "/source/**/obj");
    CleanDirectories(root.FullPath + "/tests/**/bin");
    CleanDirectories(root.FullPath + "/tests/**/obj");
});

Task("Build")
    .Description("Restores and builds the solution.")
    .Does(() =>
{
    DotNetBuild(solution.FullPath, new DotNetBuildSettings
    {
        Configuration = configuration,
    });
});

Task("Prerequisites")
    .Description("Installs what the tests need besides the .NET SDK when it is missing and it can (root, apt-get), else says in one line what to install (build/prerequisites.sh).")
    .WithCriteria(() => IsRunningOnLinux(), "not Linux")
    .Does(() =>
{
    var exitCode = StartProcess("bash", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().AppendQuoted(root.CombineWithFilePath("build/prerequisites.sh").FullPath).Append("test"),
    });
    if (exitCode != 0)
    {
        throw new CakeException($"build/prerequisites.sh failed (exit code {exitCode}): the tests need what it names above.");
    }
});

Task("Test")
    .Description("Runs every test project of the solution against the Build output (installs what the tests need first, see Prerequisites).")
    .IsDependentOn("Prerequisites")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution.FullPath, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ResultsDirectory = testResultsDir,
        // A hung test must fail the run, not hold CI until its own timeout: after 5 minutes without
        // progress the test host is killed and the test is reported (no dump: nothing to collect it).
        ArgumentCustomization = args => args
            .Append("--blame-hang-timeout").Append("5m")
            .Append("--blame-hang-dump-type").Append("none"),
    });
});

Task("Pack")
    .Description("Packs the core, the Cake addin and the tool into artifacts/packages: PbDeploy.Tool names PbDeploy.Tool.linux-x64 and .linux-arm64 (NativeAOT) and .any (framework-dependent); --no-arm64 leaves linux-arm64 out.")
    .IsDependentOn("Build")
    .Does(() =>
{
    var rids = toolRids.Where(rid => rid != "linux-arm64" || !HasArgument("no-arm64")).ToList();
    // Before anything is packed: a missing cross toolchain fails at once, in one line, not after minutes of ILC.
    if (rids.Contains("linux-arm64"))
    {
        CheckArm64Toolchain();
    }

    CleanDirectory(packagesDir);
    // The core, the Cake addin and the tool's pointer package (it holds no code: only the list of RID packages).
    DotNetPack(solution.FullPath, new DotNetPackSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        OutputDirectory = packagesDir,
    });
    // One pack per RID: NativeAOT cannot compile several RIDs in one pack, and "any" is the framework-dependent build.
    foreach (var rid in rids)
    {
        Information("Packing PbDeploy.Tool.{0}", rid);
        // The tool package takes the whole publish folder: what an earlier publish left there would go in with it.
        var publishDir = root.Combine($"source/PbDeploy.Cli/bin/{configuration}/net10.0/{rid}/publish");
        if (DirectoryExists(publishDir))
        {
            DeleteDirectory(publishDir, new DeleteDirectorySettings { Recursive = true, Force = true });
        }
        DotNetPack(cliProject.FullPath, new DotNetPackSettings
        {
            Configuration = configuration,
            Runtime = rid,
            OutputDirectory = packagesDir,
            // Pack leaves the check of trim/AOT warnings to the PublishAot target (Directory.Build.props makes
            // warnings errors, and ILC would inherit that for third-party packages' warnings too).
            MSBuildSettings = new DotNetMSBuildSettings().WithProperty("IlcTreatWarningsAsErrors", "false"),
        });
    }
    if (!rids.Contains("linux-arm64"))
    {
        Warning("--no-arm64: artifacts/packages has no PbDeploy.Tool.linux-arm64, so installing PbDeploy.Tool from it fails on linux-arm64.");
    }
    Information("Packages: {0}", packagesDir.FullPath);
});

Task("PublishAot")
    .Description("Publishes the pbdeploy CLI with NativeAOT (linux-x64) into artifacts/aot; fails on a trim/AOT warning in our own code.")
    .Does(() =>
{
    CleanDirectory(aotDir);
    // ILC is incremental: when its inputs did not change it does not run, and reports no warning at all.
    // Dropping its intermediate folder makes every run compile, and check, the native code again.
    var ilcIntermediates = GetDirectories($"{root.FullPath}/source/PbDeploy.Cli/obj/{configuration}/*/linux-x64/native");
    if (ilcIntermediates.Count > 0)
    {
        DeleteDirectories(ilcIntermediates, new DeleteDirectorySettings { Recursive = true, Force = true });
    }
    var warningLog = artifacts.CombineWithFilePath("aot-publish-warnings.log");
    var msbuild = new DotNetMSBuildSettings()
        .WithProperty("PublishAot", "true")
        // Directory.Build.props turns warnings into errors, and ILC inherits that: a package's collapsed
        // IL2104/IL3053 would then stop the publish. ILC reports warnings only; the check below decides.
        .WithProperty("IlcTreatWarningsAsErrors", "false");
    // Every warning also goes to a file, so the check reads exactly what MSBuild reported.
    msbuild.FileLoggers.Add(new MSBuildFileLoggerSettings
    {
        LogFile = warningLog.FullPath,
        SummaryOutputLevel = MSBuildLoggerOutputLevel.WarningsOnly,
        ForceNoAlign = true,
    });

    DotNetPublish(cliProject.FullPath, new DotNetPublishSettings
    {
        Configuration = configuration,
        Runtime = "linux-x64",
        OutputDirectory = aotDir,
        MSBuildSettings = msbuild,
    });

    CheckAotWarnings(warningLog, root);
    Information("NativeAOT binary: {0}", aotDir.CombineWithFilePath("pbdeploy").FullPath);
});

Task("Demo")
    .Description("Builds the Cake addin and deploys examples/quickstart with it (build/deploy.cake: two Python web servers and their templates), then shows their status.")
    .IsDependentOn("Build")
    .Does(() => DeployScript("Demo"));

Task("DemoStop")
    .Description("Stops the services of examples/quickstart (build/deploy.cake).")
    .IsDependentOn("Build")
    .Does(() => DeployScript("DemoStop"));

Task("Default")
    .IsDependentOn("Test");

RunTarget(target);

// Dogfood: runs build/deploy.cake, which deploys examples/quickstart with the freshly built Cake addin. The addin and
// the core it bundles are copied to artifacts/cake-addin first, the one path that script's #r can name whatever the
// configuration; --quick and --services pass through.
void DeployScript(string scriptTarget)
{
    var addinOutput = root.Combine($"source/Cake.PbDeploy/bin/{configuration}/net10.0");
    CleanDirectory(addinDir);
    CopyFiles(new[] { addinOutput.CombineWithFilePath("Cake.PbDeploy.dll"), addinOutput.CombineWithFilePath("PbDeploy.Core.dll") }, addinDir);

    var arguments = new ProcessArgumentBuilder()
        .Append("tool").Append("run").Append("dotnet-cake")
        .AppendQuoted(root.CombineWithFilePath("build/deploy.cake").FullPath)
        .Append($"--target={scriptTarget}");
    if (HasArgument("quick"))
    {
        arguments.Append("--quick");
    }
    if (HasArgument("services"))
    {
        arguments.Append($"--services={Argument<string>("services")}");
    }

    Information("> dotnet cake build/deploy.cake --target={0}", scriptTarget);
    var exit = StartProcess("dotnet", new ProcessSettings { Arguments = arguments, WorkingDirectory = root });
    if (exit != 0)
    {
        throw new CakeException($"build/deploy.cake --target={scriptTarget} exited with {exit}");
    }
}

// linux-arm64 on an x64 machine links with clang and lld against Debian's arm64 libc and zlib (see PbDeploy.Cli.csproj):
// says in one line what is missing and how to install it.
void CheckArm64Toolchain()
{
    if (System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64)
    {
        return;
    }
    var path = (EnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
    bool OnPath(string command) => path.Any(dir => System.IO.File.Exists(System.IO.Path.Combine(dir, command)));
    var missing = new List<string>();
    if (!OnPath("clang")) missing.Add("clang (clang)");
    if (!OnPath("ld.lld")) missing.Add("ld.lld (lld)");
    if (!OnPath("aarch64-linux-gnu-objcopy")) missing.Add("aarch64-linux-gnu-objcopy (binutils-aarch64-linux-gnu)");
    if (!System.IO.File.Exists("/usr/lib/aarch64-linux-gnu/crt1.o")) missing.Add("/usr/lib/aarch64-linux-gnu/crt1.o (libc6-dev:arm64)");
    if (!System.IO.File.Exists("/usr/lib/aarch64-linux-gnu/libz.a") && !System.IO.File.Exists("/usr/lib/aarch64-linux-gnu/libz.so")) missing.Add("/usr/lib/aarch64-linux-gnu/libz.a (zlib1g-dev:arm64)");
    if (missing.Count > 0)
    {
        throw new CakeException($"Pack: cannot cross-compile PbDeploy.Tool.linux-arm64: missing {string.Join(", ", missing)}; install them as root (apt-get install clang lld binutils-aarch64-linux-gnu; dpkg --add-architecture arm64; apt-get update; apt-get install libc6-dev:arm64 zlib1g-dev:arm64), or pass --no-arm64.");
    }
}

// Trim and AOT warnings (IL2xxx, IL3xxx) whose origin is our own code under source/ fail the target;
// those from third-party packages (Spectre.Console, System.CommandLine ...) are listed only.
void CheckAotWarnings(FilePath warningLog, DirectoryPath repoRoot)
{
    var warning = new Regex(@"^\s*(?:\d+(?::\d+)?>)?(?<origin>.*?)\s*:\s*(?:Trim analysis |AOT analysis )?warning (?<code>IL\d{4})\s*:\s*(?<message>.*?)(?:\s+\[[^\]]*\])?\s*$");
    var ourSource = repoRoot.FullPath.TrimEnd('/') + "/source/";
    var ours = new List<string>();
    var theirs = new List<string>();
    var lines = FileExists(warningLog) ? System.IO.File.ReadAllLines(warningLog.FullPath) : Array.Empty<string>();
    foreach (var line in lines.Distinct())
    {
        var match = warning.Match(line);
        if (!match.Success)
        {
            continue;
        }
        var origin = match.Groups["origin"].Value.Replace('\\', '/');
        var message = match.Groups["message"].Value;
        var text = $"{match.Groups["code"].Value} {origin}: {message}";
        // A deterministic build (ContinuousIntegrationBuild) maps source paths to /_/; map them back, and count
        // them as ours only if that file exists here (packages built from a "source" folder are not ours).
        var file = Regex.Replace(origin, @"\([\d,]+\)$", "");
        if (file.StartsWith("/_/", StringComparison.Ordinal))
        {
            file = repoRoot.FullPath.TrimEnd('/') + file.Substring(2);
            file = FileExists(file) ? file : origin;
        }
        var isOurs = file.StartsWith(ourSource, StringComparison.Ordinal)
            || message.StartsWith("PbDeploy.", StringComparison.Ordinal)           // no file: the origin is a member of ours
            || Regex.IsMatch(message, @"^Assembly '(?i:pbdeploy)(\.[\w.]+)?'");   // collapsed warnings of one of our assemblies
        (isOurs ? ours : theirs).Add(text);
    }

    if (theirs.Count > 0)
    {
        Warning("{0} trim/AOT warning(s) from third-party packages (reported, not failing):", theirs.Count);
        foreach (var text in theirs.Distinct())
        {
            Warning("  {0}", text);
        }
    }
    if (ours.Count > 0)
    {
        foreach (var text in ours.Distinct())
        {
            Error("  {0}", text);
        }
        throw new CakeException($"{ours.Count} trim/AOT warning(s) in our own code under source/ (listed above; full log: {warningLog.FullPath}). Make that code trim- and AOT-safe.");
    }
    Information("No trim/AOT warning in our own code.");
}
