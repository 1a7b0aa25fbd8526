using PbDeploy.Manifest;

namespace PbDeploy.Cli;

/// <summary>
/// Loads the manifest named by <c>--manifest</c>, or the one found from the current folder up, and says which one:
/// <c>manifest: PATH</c> as the first line of the output, or on stderr when stdout is for machines. Only once there is
/// output: a refusal before any (a bad manifest, template or service name) already names the manifest in its one line.
/// </summary>
internal static class ManifestOption
{
    public static DeployManifest Load(string? path, CliConsole console, bool machineOutput = false)
    {
        var file = path is null ? ManifestLoader.Find(Environment.CurrentDirectory) : Path.GetFullPath(path);
        var manifest = ManifestLoader.Load(file);
        console.Announce($"manifest: {manifest.Path}", toStderr: machineOutput);

        foreach (var warning in manifest.Warnings)
        {
            console.Warning(warning.ToString());
        }

        return manifest;
    }
}
