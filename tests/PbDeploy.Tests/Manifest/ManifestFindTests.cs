using PbDeploy.Manifest;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Manifest;

public sealed class ManifestFindTests
{
    [Fact]
    public void Finds_the_manifest_in_the_start_folder()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", "{}");

        ManifestLoader.Find(dir.Path).ShouldBe(manifest);
    }

    [Fact]
    public void Finds_the_manifest_in_the_nearest_parent_folder()
    {
        using var dir = new TempDirectory();
        dir.Write("pbdeploy.json", "{}");
        var nearest = dir.Write("project/pbdeploy.json", "{}");
        Directory.CreateDirectory(dir.Combine("project", "app", "static"));

        ManifestLoader.Find(dir.Combine("project", "app", "static")).ShouldBe(nearest);
    }

    [Fact]
    public void A_relative_start_folder_gives_a_full_path()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", "{}");
        Directory.CreateDirectory(dir.Combine("app"));

        ManifestLoader.Find(Path.GetRelativePath(Environment.CurrentDirectory, dir.Combine("app"))).ShouldBe(manifest);
    }

    [Fact]
    public void A_folder_named_like_the_manifest_is_not_a_manifest()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", "{}");
        Directory.CreateDirectory(dir.Combine("app", "pbdeploy.json"));

        ManifestLoader.Find(dir.Combine("app")).ShouldBe(manifest);
    }

    [Fact]
    public void No_manifest_anywhere_up_is_an_error_that_says_what_to_do()
    {
        using var dir = new TempDirectory();
        HasManifestAbove(dir.Path).ShouldBeFalse("a pbdeploy.json above the temp folder makes this test meaningless");

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Find(dir.Path));

        error.Message.ShouldBe($"no pbdeploy.json in {dir.Path} or any parent folder; create one or pass --manifest PATH");
    }

    private static bool HasManifestAbove(string path)
    {
        for (var d = new DirectoryInfo(path).Parent; d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "pbdeploy.json")))
            {
                return true;
            }
        }

        return false;
    }
}
