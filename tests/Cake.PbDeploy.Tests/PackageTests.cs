using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.Json;
using System.Xml.Linq;
using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>The package as <c>dotnet pack</c> makes it, loaded by <c>#addin</c> from a folder feed.</summary>
public sealed class PackageTests
{
    /// <summary>The kind of a portable pdb's custom debug information that holds the SourceLink JSON.</summary>
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    [Fact]
    public void The_package_has_our_icon_the_addin_tags_and_the_project_and_repository_urls()
    {
        using var package = ZipFile.OpenRead(AddinPackage.Path);
        var nuspec = Nuspec(package);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;

        var icon = metadata.Element(ns + "icon")?.Value;
        icon.ShouldBe("icon.png", "the nuspec must name an icon in the package (PackageIcon)");
        var png = Read(package, icon!);
        png.Length.ShouldBeGreaterThan(100);
        png[..8].ShouldBe(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, "icon.png is not a PNG");
        string[] tags = ["cake-addin", "cake-build", "cake", "script", "build", "addin", "deploy"];
        tags.ShouldBeSubsetOf(metadata.Element(ns + "tags")!.Value.Split(' '));
        metadata.Element(ns + "projectUrl")!.Value.ShouldBe("https://github.com/pbdeploy/pbdeploy");
        metadata.Element(ns + "readme")!.Value.ShouldBe("cake.md");
        Read(package, "cake.md").Length.ShouldBeGreaterThan(0);
        var repository = metadata.Element(ns + "repository").ShouldNotBeNull("no <repository> element: PublishRepositoryUrl");
        repository.Attribute("type")!.Value.ShouldBe("git");
        repository.Attribute("url")!.Value.ShouldBe("https://github.com/pbdeploy/pbdeploy");
        repository.Attribute("commit").ShouldNotBeNull("no commit: SourceLink").Value.ShouldMatch("^[0-9a-f]{40}$");
        // Cake supplies Cake.Core itself, and the core is bundled: nothing to fetch.
        metadata.Element(ns + "dependencies")?.Descendants(ns + "dependency").ShouldBeEmpty();
    }

    [Fact]
    public void The_package_holds_the_core_with_its_xml_docs_next_to_the_addin()
    {
        using var package = ZipFile.OpenRead(AddinPackage.Path);

        var lib = package.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.FullName).Order().ToList();

        lib.ShouldBe(["lib/net10.0/Cake.PbDeploy.dll", "lib/net10.0/Cake.PbDeploy.xml", "lib/net10.0/PbDeploy.Core.dll", "lib/net10.0/PbDeploy.Core.xml"]);
        var docs = XDocument.Load(new MemoryStream(Read(package, "lib/net10.0/PbDeploy.Core.xml")));
        docs.Root!.Element("assembly")!.Element("name")!.Value.ShouldBe("PbDeploy.Core");
        docs.Descendants("member").Select(m => m.Attribute("name")!.Value).ShouldContain("T:PbDeploy.Deployment.DeployResult");
        var addinDocs = System.Text.Encoding.UTF8.GetString(Read(package, "lib/net10.0/Cake.PbDeploy.xml"));
        addinDocs.ShouldContain("M:Cake.PbDeploy.PbDeploySettingsExtensions.WithQuick(Cake.PbDeploy.PbDeploySettings,System.Boolean)");
    }

    [Fact]
    public void The_symbols_package_holds_both_pdbs_with_source_links_to_the_commit_on_github()
    {
        File.Exists(AddinPackage.SymbolsPath).ShouldBeTrue($"no symbols package {AddinPackage.SymbolsPath} next to the package");
        string commit;
        using (var package = ZipFile.OpenRead(AddinPackage.Path))
        {
            var nuspec = Nuspec(package);
            commit = nuspec.Descendants(nuspec.Root!.Name.Namespace + "repository").Single().Attribute("commit")!.Value;
        }

        using var symbols = ZipFile.OpenRead(AddinPackage.SymbolsPath);
        var pdbs = symbols.Entries.Where(e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal)).Select(e => e.FullName).Order().ToList();

        pdbs.ShouldBe(["lib/net10.0/Cake.PbDeploy.pdb", "lib/net10.0/PbDeploy.Core.pdb"]);
        foreach (var pdb in pdbs)
        {
            var documents = SourceLink(Read(symbols, pdb)).ShouldNotBeNull($"{pdb} has no SourceLink");
            documents.ShouldContain(d => d == $"https://raw.githubusercontent.com/pbdeploy/pbdeploy/{commit}/*", $"{pdb}: {string.Join(", ", documents)}");
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task The_packed_addin_loads_from_a_folder_feed_and_its_aliases_deploy_render_report_and_stop()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var package = Directory.GetFiles(CakeRunner.Feed, "Cake.PbDeploy.*.nupkg").ShouldHaveSingleItem();
        var version = Path.GetFileNameWithoutExtension(package)["Cake.PbDeploy.".Length..];
        dir.Write("web.conf.template", "listen {port}\n");
        _ = Manifests.Write(dir, $$"""
            "web": {{Manifests.Server(port, extra: """, "templates": ["web.conf.template"] """)}}
            """);
        var script = $"#addin nuget:?package=Cake.PbDeploy&version={version}&loaddependencies=false\n" + """
            var deploy = PbDeployTasks("pbdeploy.json");
            Task("Check").IsDependentOn(deploy["Deploy"]).Does(() =>
            {
                var status = PbDeployStatus("pbdeploy.json").Single();
                Information("status: {0} {1} pid {2}", status.Name, status.State, status.Pid);
                Information("port owner: {0}", PortOwner(status.Port!.Value));
                var render = PbDeployRender("pbdeploy.json", "web").Single();
                Information("render: {0} file(s), changed: {1}", render.Files.Count, render.Files[0].Changed);
                var stop = PbDeployStop("pbdeploy.json");
                Information("stop: {0}", stop.Outcomes.Single().Action);
                var again = PbDeploy("pbdeploy.json", new PbDeploySettings { Services = { "web" }, Quick = true });
                Information("again: {0}", again.Outcomes.Single().Action);
                PbDeployStop("pbdeploy.json");
                Information("after stop: {0}", PortOwner(status.Port!.Value)?.ToString() ?? "none");
            });
            RunTarget("Check");
            """;

        var run = await CakeRunner.RunAsync(dir, script, $"--nuget_source={CakeRunner.Feed}");
        var addinFiles = Directory.GetFiles(dir.Path, "*.dll", SearchOption.AllDirectories).Select(Path.GetFileName).Order().ToList();

        run.ExitCode.ShouldBe(0, run.Output);
        addinFiles.ShouldBe(["Cake.PbDeploy.dll", "PbDeploy.Core.dll"]);
        var pid = new System.Text.RegularExpressions.Regex(@"web: started, pid (\d+)").Match(run.Output).Groups[1].Value;
        pid.ShouldNotBeEmpty(run.Output);
        run.Output.ShouldContain($"status: web Running pid {pid}");
        run.Output.ShouldContain($"port owner: {pid}");
        run.Output.ShouldContain("render: 1 file(s), changed: False");
        run.Output.ShouldContain("stop: Stopped");
        run.Output.ShouldContain("again: Started");
        run.Output.ShouldContain("after stop: none");
        File.ReadAllText(dir.Combine("web.conf")).ShouldBe($"listen {port}\n");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }

    private static XDocument Nuspec(ZipArchive package) =>
        XDocument.Load(new MemoryStream(Read(package, "Cake.PbDeploy.nuspec"))); // Load: the file starts with a BOM

    private static byte[] Read(ZipArchive package, string name)
    {
        var entry = package.GetEntry(name).ShouldNotBeNull($"{name} is not in the package: {string.Join(", ", package.Entries.Select(e => e.FullName))}");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The URLs of a portable pdb's SourceLink map, or null when it has none.</summary>
    private static List<string>? SourceLink(byte[] pdb)
    {
        using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdb));
        var reader = provider.GetMetadataReader();
        foreach (var handle in reader.CustomDebugInformation)
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == SourceLinkKind)
            {
                using var json = JsonDocument.Parse(reader.GetBlobBytes(information.Value));
                return [.. json.RootElement.GetProperty("documents").EnumerateObject().Select(p => p.Value.GetString()!)];
            }
        }

        return null;
    }
}
