using System.Security.Cryptography;
using System.Text;
using PbDeploy.Platform;
using PbDeploy.Manifest;

namespace PbDeploy.Templating;

/// <summary>A template file rendered to its target.</summary>
/// <param name="Source">The template's full path.</param>
/// <param name="Target">The rendered file's full path.</param>
/// <param name="Changed">False when the target already had this content and was left untouched.</param>
public sealed record RenderedFile(string Source, string Target, bool Changed);

/// <summary>Writes a service's template files.</summary>
internal static class TemplateWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Renders every template of <paramref name="service"/> in memory first (so a bad template writes nothing),
    /// then writes each target atomically, with the template's permission bits, leaving unchanged targets untouched.
    /// </summary>
    /// <remarks>
    /// Templates are read as UTF-8 (a leading byte order mark is dropped) and written as UTF-8 without one; line
    /// endings are kept as they are. Every changed target is first written to a temporary file in its folder
    /// (<c>.NAME.pbdeploy-tmp-RANDOM</c>, created <c>O_EXCL|O_NOFOLLOW</c> with its final mode) and flushed to disk;
    /// only when all of them are written are they renamed over their targets. Only the permission bits are copied
    /// (never setuid, setgid or sticky). Refused, before anything is written: a target that is a symbolic link (pbdeploy
    /// never writes through a link: the rename replaces the path itself), a FIFO or device, a template that is not a
    /// regular file, and a target in a folder other users can write (unless sticky and the target is ours or missing).
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
    /// <param name="service">The service.</param>
    /// <param name="pending">Its rendered templates.</param>
    /// <param name="backup">Told of each target once replaced, so that a rollback restores exactly those.</param>
    internal static IReadOnlyList<RenderedFile> Commit(ServiceDefinition service, IReadOnlyList<Pending> pending, TemplateBackup? backup = null)
    {
        var temporaries = new List<(Pending File, TargetFolder Folder, string Temporary)>();
        try
        {
            foreach (var file in pending.Where(p => p.Changed))
            {
                var folder = OpenFolder(file, service);
                try
                {
                    temporaries.Add((file, folder, WriteTemporary(file, folder, service)));
                }
                catch
                {
                    folder.Dispose();
                    throw;
                }
            }

            foreach (var (file, folder, temporary) in temporaries)
            {
                Replace(file, folder, temporary, service);
                backup?.Written(file);
            }

            foreach (var file in pending.Where(p => !p.Changed))
            {
                KeepMode(file, service);
            }
        }
        finally
        {
            foreach (var (_, folder, temporary) in temporaries)
            {
                _ = NativeFile.Unlink(folder.Fd, temporary); // gone already once renamed
                folder.Dispose();
            }
        }

        return pending.Select(p => new RenderedFile(p.Source, p.Target, p.Changed)).ToList();
    }

    internal sealed record Pending(TemplateSpec Spec, string Source, string Target, byte[] Content, int Mode, bool Changed);

    /// <summary>A target's folder, open, so that the temporary file and the rename happen in the folder that was checked.</summary>
    private sealed class TargetFolder(int fd) : IDisposable
    {
        public int Fd { get; private set; } = fd;

        public void Dispose()
        {
            NativeFile.Close(Fd);
            Fd = -1;
        }
    }

    /// <summary>Reads and renders every template, and compares each with its target; writes nothing.</summary>
    private static List<Pending> Render(DeployManifest manifest, ServiceDefinition service, VariableScope scope)
    {
        var pending = new List<Pending>();
        var targets = new Dictionary<string, TemplateSpec>(StringComparer.Ordinal);
        foreach (var written in service.Templates)
        {
            var spec = RenderPaths(written, scope);
            var source = Path.GetFullPath(spec.Source, manifest.ProjectDir);
            var target = Path.GetFullPath(spec.Target, manifest.ProjectDir);
            var listed = $"listed in templates of service '{service.Name}' at {spec.Location}";
            if (target == source)
            {
                throw new InputException($"{spec.Source}: the template's target is the template itself ({listed}); give it another target.");
            }

            if (!targets.TryAdd(target, spec))
            {
                throw new InputException(
                    $"{spec.Target}: two templates of service '{service.Name}' write this file ({targets[target].Location} and {spec.Location}); give each its own target.");
            }

            var (text, mode) = ReadTemplate(spec, source, service.Name, listed);
            CheckTarget(spec, target, service.Name);
            var rendered = Template.Render(text, new SourceLocation(source, 1, 1), scope);
            var content = Utf8.GetBytes(rendered);
            pending.Add(new Pending(spec, source, target, content, mode, !HasContent(target, content)));
        }

        return pending;
    }

    /// <summary>
    /// The template with its source and target rendered with the service's variables (<c>{conf_dir}/site.conf.template</c>):
    /// every check and message after this is about the paths as rendered.
    /// </summary>
    private static TemplateSpec RenderPaths(TemplateSpec spec, VariableScope scope)
    {
        const string Suffix = ".template";
        var source = scope.Render(spec.SourceText ?? new TemplateString(spec.Source, spec.Location))!;
        var target = spec.TargetText is { } targetText ? scope.Render(targetText)!
            : spec.SourceText is not null && source.EndsWith(Suffix, StringComparison.Ordinal) ? source[..^Suffix.Length] // derived: X.template -> X
            : scope.Render(new TemplateString(spec.Target, spec.Location))!;
        return spec with { Source = source, Target = target };
    }

    /// <summary>The template's text and permission bits (mode &amp; 0777: never setuid, setgid or sticky).</summary>
    private static (string Text, int Mode) ReadTemplate(TemplateSpec spec, string source, string serviceName, string listed)
    {
        // O_NONBLOCK: a FIFO opens at once (and is refused below) instead of waiting for a writer.
        var fd = NativeFile.Open(Libc.AT_FDCWD, source, Libc.O_RDONLY | Libc.O_NONBLOCK);
        if (fd < 0)
        {
            var error = Libc.LastError;
            throw error is Libc.ENOENT or 20 /* ENOTDIR */
                ? new InputException($"{spec.Location}: template {spec.Source} of service '{serviceName}': there is no file {source}; create it, or fix the name in the manifest.")
                : new EnvironmentException($"{source}: cannot read the template ({listed}): {NativeFile.Error(error)}.");
        }

        try
        {
            var stat = FileStat.Of(fd)!.Value;
            if (!stat.IsRegular)
            {
                throw new InputException($"{source}: the template is {stat.Kind}, not a regular file ({listed}); point the manifest at a regular file.");
            }

            // Its text becomes a file of ours (a config, a script we run): trusted as the manifest is, or not at all.
            if (Untrusted(source, stat) is { } why)
            {
                throw new InputException($"{source}: the template {why}, who could make it say anything ({listed}); use a template of yours that only you can write, or if you trust that user, set {ManifestTrust.TrustedOwnersVariable}.");
            }

            var text = Utf8.GetString(NativeFile.ReadFrom(fd, 0, int.MaxValue).Bytes);
            return (text.StartsWith('\uFEFF') ? text[1..] : text, stat.Permissions);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputException($"{source}: not valid UTF-8 ({listed}); save the template as UTF-8.", e);
        }
        finally
        {
            NativeFile.Close(fd);
        }
    }

    /// <summary>Why a template (open, <paramref name="stat"/>) is not trusted, as a clause naming the user; null when it is.</summary>
    private static string? Untrusted(string source, FileStat stat)
    {
        ManifestTrust trust;
        try
        {
            trust = ManifestTrust.FromEnvironment();
        }
        catch (PbDeployException)
        {
            trust = ManifestTrust.Strict; // a bad value was reported when the manifest was loaded
        }

        var euid = NativeFile.Euid;
        return FileStat.Lstat(source) is { IsLink: true } link && !trust.Trusts(link.Uid, euid) ? $"is a symbolic link of uid {link.Owner}, another user"
            : !trust.Trusts(stat.Uid, euid) ? $"belongs to uid {stat.Owner}, another user"
            : WritePlace.OthersWrite(stat) ? $"is writable by other users (mode {stat.Octal}), any of them"
            : null;
    }

    /// <summary>Refuses, before anything is written, a target pbdeploy must not replace.</summary>
    private static void CheckTarget(TemplateSpec spec, string target, string serviceName)
    {
        var what = $"{target}: the target of template {spec.Source} of service '{serviceName}'";
        switch (FileStat.Lstat(target))
        {
            case { IsLink: true }:
                throw new InputException(
                    $"{what} is a symbolic link; pbdeploy never writes through a link: remove the link, or point the manifest at the real file ({spec.Location}).");
            case { IsRegular: false, IsDirectory: false } special:
                throw new InputException($"{what} is {special.Kind}, not a regular file; remove it, or choose another target ({spec.Location}).");
        }

        if (WritePlace.Problem(target) is { } problem)
        {
            throw new InputException($"{what} must not be written: {problem} ({spec.Location}).");
        }
    }

    /// <summary>
    /// Whether the target already holds <paramref name="content"/>; read never through a link, never blocking. A target
    /// with a second hard link counts as changed: it is replaced by the rename, so its mode is never set on a file
    /// that is also another path.
    /// </summary>
    private static bool HasContent(string target, byte[] content)
    {
        var fd = NativeFile.Open(Libc.AT_FDCWD, target, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK);
        try
        {
            // An unreadable target is rewritten; the write reports whether that is possible.
            return fd >= 0 && FileStat.Of(fd) is { IsRegular: true, Links: 1 } stat && stat.Size == (ulong)content.Length
                && NativeFile.ReadFrom(fd, 0, content.Length).Bytes.AsSpan().SequenceEqual(content);
        }
        finally
        {
            NativeFile.Close(fd);
        }
    }

    private static TargetFolder OpenFolder(Pending file, ServiceDefinition service)
    {
        var folder = Path.GetDirectoryName(file.Target)!;
        var fd = NativeFile.Open(Libc.AT_FDCWD, folder, Libc.O_RDONLY | Libc.O_DIRECTORY);
        if (fd >= 0)
        {
            return new TargetFolder(fd);
        }

        var error = Libc.LastError;
        var start = $"{file.Target}: cannot write the rendered template {file.Spec.Source} of service '{service.Name}': ";
        if (FileInTheWay(folder) is { } inTheWay)
        {
            throw new InputException($"{start}{inTheWay} is a file, not a folder; fix the target ({file.Spec.Location}).");
        }

        throw error == Libc.ENOENT
            ? new InputException($"{start}the folder {folder} does not exist; create it, or fix the target ({file.Spec.Location}).")
            : new EnvironmentException($"{start}{NativeFile.Error(error)} ({file.Spec.Location}).");
    }

    /// <summary>
    /// Writes the content to a new file in the target's folder, created <c>O_EXCL|O_NOFOLLOW</c> with the template's
    /// permissions from the start (the umask can only narrow them, and <c>fchmod</c> then sets them exactly): a 0600
    /// secret is never readable by others, not even for a moment.
    /// </summary>
    private static string WriteTemporary(Pending file, TargetFolder folder, ServiceDefinition service)
    {
        var error = WriteNew(folder.Fd, Path.GetFileName(file.Target), file.Content, file.Mode, out var name);
        if (error == 0)
        {
            return name;
        }

        var folderPath = Path.GetDirectoryName(file.Target)!;
        var why = error is 13 /* EACCES */ or Libc.EPERM
            ? $"permission denied in {folderPath}; make the folder writable for this user, or choose another target"
            : NativeFile.Error(error);
        throw new EnvironmentException(
            $"{file.Target}: cannot write the rendered template {file.Spec.Source} of service '{service.Name}': {why} ({file.Spec.Location}).");
    }

    /// <summary>
    /// Writes <paramref name="content"/> to a new hidden file next to <paramref name="targetName"/> in the open folder
    /// (<c>.NAME.pbdeploy-tmp-RANDOM</c>, <c>O_EXCL|O_NOFOLLOW</c>, <paramref name="mode"/> from the start, flushed):
    /// 0 and its name, or the errno (and no file left).
    /// </summary>
    internal static int WriteNew(int folderFd, string targetName, byte[] content, int mode, out string name)
    {
        name = $".{targetName}.pbdeploy-tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var fd = NativeFile.Open(folderFd, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW, mode);
        var error = fd < 0 ? Libc.LastError : 0;
        if (fd >= 0)
        {
            error = Libc.fchmod(fd, mode) != 0 ? Libc.LastError : NativeFile.WriteAll(fd, content);
            if (error == 0 && Libc.fsync(fd) != 0)
            {
                error = Libc.LastError;
            }

            NativeFile.Close(fd);
            if (error != 0)
            {
                _ = NativeFile.Unlink(folderFd, name);
            }
        }

        return error;
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

    /// <summary>Renames the temporary file over the target's path: a link planted there since the check is replaced, never followed.</summary>
    private static void Replace(Pending file, TargetFolder folder, string temporary, ServiceDefinition service)
    {
        var error = NativeFile.Rename(folder.Fd, temporary, Path.GetFileName(file.Target));
        if (error != 0)
        {
            var why = error is 13 /* EACCES */ or Libc.EPERM ? "permission denied; make the file and its folder writable for this user" : NativeFile.Error(error);
            throw new EnvironmentException(
                $"{file.Target}: cannot replace it with the rendered template {file.Spec.Source} of service '{service.Name}': {why} ({file.Spec.Location}).");
        }
    }

    /// <summary>Gives an unchanged target the template's permissions, should they differ (its content and mtime stay as they are).</summary>
    private static void KeepMode(Pending file, ServiceDefinition service)
    {
        var fd = NativeFile.Open(Libc.AT_FDCWD, file.Target, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK);
        var error = fd < 0 ? Libc.LastError : 0;
        if (fd >= 0)
        {
            // Links: 1, as when it was compared: a hard link put in its place since then could be any file (/etc/shadow).
            if (FileStat.Of(fd) is { IsRegular: true, Links: 1 } stat && (stat.Mode & 0xFFF) != file.Mode && Libc.fchmod(fd, file.Mode) != 0)
            {
                error = Libc.LastError;
            }

            NativeFile.Close(fd);
        }

        if (error != 0)
        {
            throw new EnvironmentException(
                $"{file.Target}: cannot give it the mode of its template {file.Spec.Source} of service '{service.Name}': {NativeFile.Error(error)} ({file.Spec.Location}).");
        }
    }
}
