namespace PbDeploy.Manifest;

/// <summary>Finds and loads <c>pbdeploy.json</c>.</summary>
public static class ManifestLoader
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "pbdeploy.json";

    /// <summary>The <c>pbdeploy.json</c> in <paramref name="startDirectory"/> or its nearest parent.</summary>
    /// <exception cref="PbDeployException">There is none.</exception>
    public static string Find(string startDirectory) => throw new NotImplementedException();

    /// <summary>Loads and validates a manifest.</summary>
    /// <exception cref="ManifestException">The manifest is invalid; the message names file, line, column and key.</exception>
    public static DeployManifest Load(string path) => throw new NotImplementedException();
}
