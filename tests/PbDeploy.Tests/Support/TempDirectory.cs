using System.Runtime.CompilerServices;

namespace PbDeploy.Tests.Support;

/// <summary>A fresh folder per test, named after the test, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory([CallerMemberName] string name = "")
    {
        // At most 80 characters, and always the random suffix: a long test name is shortened, never the suffix,
        // or two runs of the same test (or two tests whose names start alike) would share one folder.
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pbdeploy-tests", $"{name[..Math.Min(name.Length, 71)]}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes a file (creating folders) and returns its full path.</summary>
    public string Write(string relativePath, string content)
    {
        var full = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed may leave a file open; the folder is under /tmp and named after the test.
        }
    }
}
