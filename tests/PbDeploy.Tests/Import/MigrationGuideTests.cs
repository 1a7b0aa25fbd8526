using System.Text.RegularExpressions;
using PbDeploy.Manifest;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Import;

/// <summary>docs/migrating-from-pbdeploy.md shows the files of docs/migrating/ as they are, and every manifest it shows loads.</summary>
public sealed partial class MigrationGuideTests
{
    private static string Docs => Path.Combine(AppContext.BaseDirectory, "docs");

    private static List<string> Blocks(string language)
    {
        var text = File.ReadAllText(Path.Combine(Docs, "migrating-from-pbdeploy.md"));
        return [.. Fence().Matches(text).Where(m => m.Groups[1].Value == language).Select(m => m.Groups[2].Value)];
    }

    [Fact]
    public void Every_manifest_in_the_guide_is_a_file_of_docs_migrating_and_loads()
    {
        var files = Directory.GetFiles(Path.Combine(Docs, "migrating"), "pbdeploy.json", SearchOption.AllDirectories);
        var blocks = Blocks("json");

        blocks.Count.ShouldBe(files.Length);
        using var dir = new TempDirectory();
        foreach (var block in blocks)
        {
            files.ShouldContain(f => File.ReadAllText(f) == block, $"the guide shows a manifest that is no file of docs/migrating:\n{block}");
            var manifest = ManifestLoader.Load(dir.Write($"{Guid.NewGuid():N}/pbdeploy.json", block));
            manifest.Services.ShouldNotBeEmpty();
            manifest.Warnings.ShouldBeEmpty();
        }

        foreach (var file in files)
        {
            blocks.ShouldContain(File.ReadAllText(file), $"{file} is not shown in the guide");
        }
    }

    [Fact]
    public void Every_settings_file_in_the_guide_is_a_file_of_docs_migrating()
    {
        var files = Directory.GetFiles(Path.Combine(Docs, "migrating"), "settings_deploy.py", SearchOption.AllDirectories);
        var blocks = Blocks("python");

        blocks.Count.ShouldBe(files.Length);
        foreach (var file in files)
        {
            blocks.ShouldContain(File.ReadAllText(file), $"{file} is not shown in the guide as it is");
        }
    }

    [GeneratedRegex(@"^```(\w*)\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();
}
