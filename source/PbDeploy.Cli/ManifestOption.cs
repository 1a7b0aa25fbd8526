using PbDeploy.Manifest;

namespace PbDeploy.Cli;

/// <summary>Loads the manifest named by <c>--manifest</c>, or the one found from the current folder up.</summary>
internal static class ManifestOption
{
    public static DeployManifest Load(string? path, CliConsole console)
    {
        var file = path is null ? ManifestLoader.Find(Environment.CurrentDirectory) : Path.GetFullPath(path);
        var manifest = ManifestLoader.Load(file);
        foreach (var warning in manifest.Warnings)
        {
            console.Warning(warning.ToString());
        }

        return manifest;
    }
}
