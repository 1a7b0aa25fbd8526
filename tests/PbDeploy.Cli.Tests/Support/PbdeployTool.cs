namespace PbDeploy.Cli.Tests.Support;

/// <summary>
/// The tool under test as a program (<c>dotnet pbdeploy.dll</c>), for the test projects that reference the CLI: the
/// CLI tests, and the Cake tests, whose hosts (<see cref="SshHosts"/>) run it over ssh.
/// </summary>
public static class PbdeployTool
{
    private static readonly Lazy<string> ToolCopy = new(() =>
    {
        // A copy under /tmp that any user can read, so the tool can run as another user whatever the checkout's permissions.
        var target = Path.Combine(Path.GetTempPath(), "pbdeploy-tests", $"tool-{Environment.ProcessId}");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith("pbdeploy.", StringComparison.Ordinal) || name is "PbDeploy.Core.dll" or "System.CommandLine.dll")
            {
                File.Copy(file, Path.Combine(target, name), overwrite: true);
            }
        }

        return target;
    });

    /// <summary>The folder of the copy.</summary>
    public static string Folder => ToolCopy.Value;

    /// <summary>The tool's dll, in a copy any user can read.</summary>
    public static string Dll => Path.Combine(Folder, "pbdeploy.dll");
}
