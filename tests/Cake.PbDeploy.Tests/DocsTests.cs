using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>docs/cake.md: its full pipeline, run as it is written by the real <c>dotnet cake</c> from the packed addin.</summary>
public sealed partial class DocsTests
{
    private const string PipelineMarker = "<!-- pipeline: run as it is by tests/Cake.PbDeploy.Tests/DocsTests.cs -->";

    private static string Doc => Path.Combine(CakeRunner.RepositoryRoot, "docs", "cake.md");

    [Fact(Timeout = 300_000)]
    public async Task The_pipeline_of_the_guide_cleans_builds_tests_publishes_deploys_smoke_tests_and_stops_examples_dotnet_app()
    {
        var script = Pipeline();
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        CopyExample(dir, port);

        var run = await CakeRunner.RunAsync(dir, script, AddinPackage.SourceArgument);

        run.ExitCode.ShouldBe(0, run.Output);
        // The tasks in pipeline order, each once: Clean, Build, Test, Publish, then the deploy, the smoke test, the teardown.
        var started = StartedPid().Match(run.Output);
        started.Success.ShouldBeTrue($"no 'app: started, pid N' in the output:\n{run.Output}");
        var pid = started.Groups[1].Value;
        int[] order =
        [
            run.IndexOf(Header("Clean")), run.IndexOf(Header("Build")), run.IndexOf(Header("Test")), run.IndexOf(Header("Publish")),
            started.Index, run.IndexOf(Header("SmokeTest")), run.IndexOf($"smoke test: Hello from build 1, pid {pid}"),
            run.IndexOf($"app: stopped, pid {pid}"),
        ];
        order.ShouldBeInOrder(SortDirection.Ascending, run.Output);
        File.Exists(dir.Combine("publish", "App.dll")).ShouldBeTrue();
        File.ReadAllText(dir.Combine("logs", "app.log")).ShouldContain($"Now listening on: http://127.0.0.1:{port}");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped, "the teardown must stop the app");
    }

    /// <summary>The one code block after the marker, checked to load the version of the addin these tests packed.</summary>
    private static string Pipeline()
    {
        var text = File.ReadAllText(Doc);
        var at = text.IndexOf(PipelineMarker, StringComparison.Ordinal);
        at.ShouldBeGreaterThanOrEqualTo(0, $"docs/cake.md has lost the marker of its pipeline: {PipelineMarker}");
        var block = Fence().Match(text, at + PipelineMarker.Length);
        block.Success.ShouldBeTrue("no ```csharp block after the pipeline marker of docs/cake.md");
        var script = block.Groups[1].Value;
        script.ShouldStartWith(AddinPackage.Directive, Case.Sensitive, $"docs/cake.md must load the version being packed ({AddinPackage.Version}): update its #addin lines");
        return script;
    }

    /// <summary>examples/dotnet-app (the app and its pbdeploy.json, no build output) into <paramref name="dir"/>, on <paramref name="port"/>.</summary>
    private static void CopyExample(TempDirectory dir, int port)
    {
        var example = Path.Combine(CakeRunner.RepositoryRoot, "examples", "dotnet-app");
        foreach (var file in (string[])["pbdeploy.json", "Directory.Build.props", "Directory.Packages.props", "App/App.csproj", "App/Program.cs"])
        {
            dir.Write(file, File.ReadAllText(Path.Combine(example, file)));
        }

        var manifest = dir.Combine("pbdeploy.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        json["services"]!["app"]!["port"] = port;
        File.WriteAllText(manifest, json.ToJsonString());
    }

    /// <summary>Cake's header for a task that runs: a rule of '═', then the name on a line of its own, indented and padded.</summary>
    private static string Header(string task) => $"═\n {task} ";

    [GeneratedRegex(@"\G\s*^```csharp\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"app: started, pid (\d+)")]
    private static partial Regex StartedPid();
}
