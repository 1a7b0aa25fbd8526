using PbDeploy.Manifest;

namespace PbDeploy.Cli;

/// <summary>
/// Loads the manifest named by <c>--manifest</c>, or the one found from the current folder up, and says which one:
/// <c>manifest: PATH</c> as the first line of the output, or on stderr when stdout is for machines. Only once there is
/// output: a refusal before any (a bad manifest, template or service name) already names the manifest in its one line.
/// </summary>
internal static class ManifestOption
{
    /// <param name="path">The path given with <c>--manifest</c>, or null.</param>
    /// <param name="console">Where the manifest is named and its warnings go.</param>
    /// <param name="machineOutput">Stdout is for machines: name the manifest on stderr.</param>
    /// <param name="quiet">Asked to be quiet (<c>--quiet</c>): do not name the manifest; warnings still go to stderr.</param>
    public static DeployManifest Load(string? path, CliConsole console, bool machineOutput = false, bool quiet = false)
    {
        var file = path is null ? ManifestLoader.Find(Environment.CurrentDirectory) : Path.GetFullPath(path);
        var manifest = ManifestLoader.Load(file);
        if (!quiet)
        {
            console.Announce($"manifest: {manifest.Path}", toStderr: machineOutput);
        }

        foreach (var warning in manifest.Warnings)
        {
            console.Warning(warning.ToString());
        }

        return manifest;
    }
}
