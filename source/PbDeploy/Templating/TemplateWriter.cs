using System.Security.Cryptography;
using System.Text;
using PbDeploy.Manifest;

namespace PbDeploy.Templating;

/// <summary>A template file rendered to its target.</summary>
/// <param name="Source">The template's full path.</param>
/// <param name="Target">The rendered file's full path.</param>
/// <param name="Changed">False when the target already had this content and was left untouched.</param>
public sealed record RenderedFile(string Source, string Target, bool Changed);

/// <summary>Writes a service's template files.</summary>
public static class TemplateWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Renders every template of <paramref name="service"/> in memory first (so a bad template writes nothing),
    /// then writes each target atomically, keeping the template's file mode, leaving unchanged targets untouched.
    /// </summary>
    /// <remarks>
    /// Templates are read as UTF-8 (a leading byte order mark is dropped) and written as UTF-8 without one; line
    /// endings are kept as they are. Every changed target is first written to a temporary file in its folder
    /// (<c>.NAME.pbdeploy-tmp-RANDOM</c>) and flushed to disk; only when all of them are written are they renamed
    /// over their targets. A target that is a symbolic link is written through (the file it points to is replaced).
    /// </remarks>
    /// <exception cref="TemplateException">A template references an unknown or unavailable variable; nothing was written.</exception>
    /// <exception cref="PbDeployException">A template cannot be read or a target cannot be written; the message names the file.</exception>
    public static IReadOnlyList<RenderedFile> Write(DeployManifest manifest, ServiceDefinition service, VariableScope scope) =>
        Prepare(manifest, service, scope).Commit();

    /// <summary>
    /// Reads and renders every template of <paramref name="service"/> and compares each with its target, writing
    /// nothing: prepare every service of a run first, so that one bad template anywhere writes no file at all.
    /// </summary>
    /// <exception cref="TemplateException">A template references an unknown or unavailable variable.</exception>
    /// <exception cref="PbDeployException">A template cannot be read.</exception>
    public static PreparedTemplates Prepare(DeployManifest manifest, ServiceDefinition service, VariableScope scope)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(scope);
        return new PreparedTemplates(service, Render(manifest, service, scope));
    }

    /// <summary>Writes prepared templates: see <see cref="Write"/>.</summary>
    internal static IReadOnlyList<RenderedFile> Commit(ServiceDefinition service, IReadOnlyList<Pending> pending)
    {
        var temporaries = new List<(Pending File, string Temporary)>();
        try
        {
            foreach (var file in pending.Where(p => p.Changed))
            {
                temporaries.Add((file, WriteTemporary(file, service)));
            }

            foreach (var (file, temporary) in temporaries)
            {
                Replace(file, temporary, service);
            }

            foreach (var file in pending.Where(p => !p.Changed))
            {
                KeepMode(file, service);
            }
        }
        finally
        {
            foreach (var (_, temporary) in temporaries)
            {
                TryDelete(temporary);
            }
        }

        return pending.Select(p => new RenderedFile(p.Source, p.Target, p.Changed)).ToList();
    }

    internal sealed record Pending(TemplateSpec Spec, string Source, string Target, byte[] Content, UnixFileMode? Mode, bool Changed);

    /// <summary>Reads and renders every template, and compares each with its target; writes nothing.</summary>
    private static List<Pending> Render(DeployManifest manifest, ServiceDefinition service, VariableScope scope)
    {
        var pending = new List<Pending>();
        var targets = new Dictionary<string, TemplateSpec>(StringComparer.Ordinal);
        foreach (var spec in service.Templates)
        {
            var source = Path.GetFullPath(spec.Source, manifest.ProjectDir);
            var target = ResolveLinks(Path.GetFullPath(spec.Target, manifest.ProjectDir));
            var listed = $"listed in templates of service '{service.Name}' at {spec.Location}";
            if (target == source)
            {
                throw new PbDeployException($"{spec.Source}: the template's target is the template itself ({listed}); give it another target.");
            }

            if (!targets.TryAdd(target, spec))
            {
                throw new PbDeployException(
                    $"{spec.Target}: two templates of service '{service.Name}' write this file ({targets[target].Location} and {spec.Location}); give each its own target.");
            }

            var text = ReadTemplate(spec, source, service.Name, listed);
            var rendered = Template.Render(text, new SourceLocation(source, 1, 1), scope);
            var content = Utf8.GetBytes(rendered);
            UnixFileMode? mode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(source);
            pending.Add(new Pending(spec, source, target, content, mode, !HasContent(target, content)));
        }

        return pending;
    }

    private static string ReadTemplate(TemplateSpec spec, string source, string serviceName, string listed)
    {
        try
        {
            var bytes = File.ReadAllBytes(source);
            var text = Utf8.GetString(bytes);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PbDeployException(
                $"{spec.Location}: template {spec.Source} of service '{serviceName}': there is no file {source}; create it, or fix the name in the manifest.", e);
        }
        catch (DecoderFallbackException e)
        {
            throw new PbDeployException($"{source}: not valid UTF-8 ({listed}); save the template as UTF-8.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PbDeployException($"{source}: cannot read the template ({listed}): {e.Message}", e);
        }
    }

    /// <summary>The file a symbolic link finally points to, or the path itself.</summary>
    private static string ResolveLinks(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not a link, or one we cannot follow: the write reports the real problem.
            return path;
        }
    }

    private static bool HasContent(string target, byte[] content)
    {
        try
        {
            var info = new FileInfo(target);
            return info.Exists && info.Length == content.Length && File.ReadAllBytes(target).AsSpan().SequenceEqual(content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable target is rewritten; the write reports whether that is possible.
            return false;
        }
    }

    private static string WriteTemporary(Pending file, ServiceDefinition service)
    {
        var folder = Path.GetDirectoryName(file.Target)!;
        if (!Directory.Exists(folder))
        {
            if (FileInTheWay(folder) is { } inTheWay)
            {
                throw new PbDeployException(
                    $"{file.Target}: cannot write the rendered template {file.Spec.Source} of service '{service.Name}': "
                    + $"{inTheWay} is a file, not a folder; fix the target ({file.Spec.Location}).");
            }

            throw new PbDeployException(
                $"{file.Target}: cannot write the rendered template {file.Spec.Source} of service '{service.Name}': "
                + $"the folder {folder} does not exist; create it, or fix the target ({file.Spec.Location}).");
        }

        var temporary = Path.Combine(folder, $".{Path.GetFileName(file.Target)}.pbdeploy-tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(file.Content);
                stream.Flush(flushToDisk: true);
            }

            if (file.Mode is { } mode && !OperatingSystem.IsWindows())
            {
                // Set after creation: the mode given at creation would be reduced by the umask.
                File.SetUnixFileMode(temporary, mode);
            }

            return temporary;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            var why = e is UnauthorizedAccessException
                ? $"permission denied in {folder}; make the folder writable for this user, or choose another target"
                : $"{e.Message}";
            throw new PbDeployException(
                $"{file.Target}: cannot write the rendered template {file.Spec.Source} of service '{service.Name}': {why} ({file.Spec.Location}).", e);
        }
    }

    /// <summary>The nearest existing ancestor of <paramref name="folder"/> (or itself) when it is a file, not a folder.</summary>
    private static string? FileInTheWay(string folder)
    {
        for (var path = folder; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                return path;
            }

            if (Directory.Exists(path))
            {
                return null;
            }
        }

        return null;
    }

    private static void Replace(Pending file, string temporary, ServiceDefinition service)
    {
        try
        {
            File.Move(temporary, file.Target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is UnauthorizedAccessException ? "permission denied; make the file and its folder writable for this user" : e.Message;
            throw new PbDeployException(
                $"{file.Target}: cannot replace it with the rendered template {file.Spec.Source} of service '{service.Name}': {why} ({file.Spec.Location}).", e);
        }
    }

    /// <summary>Gives an unchanged target the template's mode, should it differ (its content and mtime stay as they are).</summary>
    private static void KeepMode(Pending file, ServiceDefinition service)
    {
        if (file.Mode is not { } mode || OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            if (File.GetUnixFileMode(file.Target) != mode)
            {
                File.SetUnixFileMode(file.Target, mode);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PbDeployException(
                $"{file.Target}: cannot give it the mode of its template {file.Spec.Source} of service '{service.Name}': {e.Message} ({file.Spec.Location}).", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the temporary file is hidden and named after its target; the original error matters more.
        }
    }
}
