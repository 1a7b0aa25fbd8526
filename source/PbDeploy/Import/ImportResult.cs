using System.Text;
using PbDeploy.Manifest;

namespace PbDeploy.Import;

/// <summary>A settings file converted to a manifest.</summary>
/// <param name="Json">The manifest's text: <c>pbdeploy.json</c>, indented, ending in a newline.</param>
/// <param name="Notes">
/// What changed meaning on the way, one sentence each, e.g. <c>gunicorn: no 'stop': pbdeploy 1.2 ran `kill {pid}`;
/// PbDeploy sends SIGTERM, waits, and SIGKILLs after stop_timeout (10 s)</c>. Empty when nothing did.
/// </param>
/// <param name="Manifest">The manifest, loaded and validated as if it were at the output path.</param>
public sealed record ImportResult(string Json, IReadOnlyList<string> Notes, DeployManifest Manifest)
{
    /// <summary>
    /// Writes <see cref="Json"/> to <paramref name="path"/> atomically: to a temporary file in the same folder,
    /// flushed, then renamed over the target.
    /// </summary>
    /// <param name="path">The manifest file.</param>
    /// <param name="overwrite">Replace an existing file; without it, an existing file is an error.</param>
    /// <exception cref="PbDeployException">The file exists (and <paramref name="overwrite"/> is false) or cannot be written.</exception>
    public void WriteTo(string path, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var target = Path.GetFullPath(path);
        if (!overwrite && (File.Exists(target) || Directory.Exists(target)))
        {
            throw Exists(target);
        }

        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.pbdeploy-tmp-{Guid.NewGuid().ToString("N")[..12]}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Json));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(target))
        {
            throw Exists(target); // Created by someone else meanwhile.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EnvironmentException($"cannot write {target}: {e.Message}", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static InputException Exists(string target) =>
        new($"{target} already exists; pass --force to replace it, or -o PATH to write elsewhere");
}
