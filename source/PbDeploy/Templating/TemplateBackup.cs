using PbDeploy.Platform;

namespace PbDeploy.Templating;

/// <summary>A target put back as it was before the deploy wrote it, or why it could not be.</summary>
/// <param name="Name">The target as the manifest names it (rendered), for messages.</param>
/// <param name="Removed">True when it did not exist before, and was removed.</param>
/// <param name="Failure">Why it could not be restored; null when it was.</param>
internal sealed record RestoredTarget(string Name, bool Removed, string? Failure);

/// <summary>
/// What the targets a deploy is about to replace held before (bytes and permission bits, or that there was no file), so that
/// they can be put back when the start or restart they were rendered for fails: the running service keeps a config
/// that matches it. Taken just before <see cref="PreparedTemplates.Commit"/>; only the targets that commit actually
/// replaced are restored.
/// </summary>
internal sealed class TemplateBackup
{
    /// <summary>
    /// The largest target kept a copy of, in bytes: configs are a few KiB. A larger one (another user's sparse file of
    /// gigabytes) is not read into memory nor written back in full by root; its restore fails, saying why.
    /// </summary>
    internal const int MaxBytes = 16 * 1024 * 1024;

    private readonly List<Original> _originals;
    private readonly HashSet<TemplateWriter.Pending> _written = [];

    private TemplateBackup(List<Original> originals) => _originals = originals;

    /// <summary>Reads what each changed target holds now (never through a link, never blocking).</summary>
    internal static TemplateBackup Take(IEnumerable<TemplateWriter.Pending> changed) => new([.. changed.Select(Read)]);

    /// <summary>Called by the writer once it has replaced <paramref name="file"/>.</summary>
    internal void Written(TemplateWriter.Pending file)
    {
        lock (_written)
        {
            _ = _written.Add(file);
        }
    }

    /// <summary>
    /// Puts every replaced target back as it was: the old bytes with the old mode, written to a temporary file in its
    /// folder and renamed over the target (as the writer writes), or the target removed when there was none. Every
    /// target is tried, whatever failed before; a failure is returned, never thrown.
    /// </summary>
    /// <returns>One entry per target restored or not, in manifest order; empty when nothing was written.</returns>
    public IReadOnlyList<RestoredTarget> Restore()
    {
        List<Original> written;
        lock (_written)
        {
            written = [.. _originals.Where(o => _written.Contains(o.File))];
            _written.Clear(); // restored once
        }

        return [.. written.Select(Restore)];
    }

    private sealed record Original(TemplateWriter.Pending File, byte[]? Content, int Mode, string? Unreadable);

    private static Original Read(TemplateWriter.Pending file)
    {
        var fd = NativeFile.Open(Libc.AT_FDCWD, file.Target, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK);
        if (fd < 0)
        {
            var error = Libc.LastError;
            return error == Libc.ENOENT
                ? new Original(file, null, 0, null)
                : new Original(file, null, 0, $"it could not be read before the deploy wrote it ({NativeFile.Error(error)})");
        }

        try
        {
            if (FileStat.Of(fd) is not { IsRegular: true } stat)
            {
                return new Original(file, null, 0, "it was not a regular file before the deploy wrote it");
            }

            // Its permission bits only (0777), as the writer gives: a setuid or setgid bit that another user set on their
            // file, put back on a new file of root's, would make a setuid-root program of that user's content.
            var (bytes, cut) = NativeFile.ReadFrom(fd, 0, MaxBytes);
            return cut
                ? new Original(file, null, 0, "it was too large to keep a copy of before the deploy wrote it")
                : new Original(file, bytes, stat.Permissions, null);
        }
        finally
        {
            NativeFile.Close(fd);
        }
    }

    private static RestoredTarget Restore(Original original)
    {
        var name = original.File.Spec.Target;
        if (original.Unreadable is { } unreadable)
        {
            return new RestoredTarget(name, Removed: false, $"{unreadable}, so its old content is unknown");
        }

        var folderPath = Path.GetDirectoryName(original.File.Target)!;
        var folder = NativeFile.Open(Libc.AT_FDCWD, folderPath, Libc.O_RDONLY | Libc.O_DIRECTORY);
        if (folder < 0)
        {
            return new RestoredTarget(name, original.Content is null, $"cannot open its folder {folderPath}: {NativeFile.Error(Libc.LastError)}");
        }

        try
        {
            var fileName = Path.GetFileName(original.File.Target);
            if (original.Content is null)
            {
                var error = NativeFile.Unlink(folder, fileName);
                return new RestoredTarget(name, Removed: true, error is 0 or Libc.ENOENT ? null : $"cannot remove it: {NativeFile.Error(error)}");
            }

            var written = TemplateWriter.WriteNew(folder, fileName, original.Content, original.Mode, out var temporary);
            if (written != 0)
            {
                return new RestoredTarget(name, Removed: false, $"cannot write its old content to a temporary file in {folderPath}: {NativeFile.Error(written)}");
            }

            var renamed = NativeFile.Rename(folder, temporary, fileName);
            if (renamed != 0)
            {
                _ = NativeFile.Unlink(folder, temporary);
                return new RestoredTarget(name, Removed: false, $"cannot rename its old content over it: {NativeFile.Error(renamed)}");
            }

            return new RestoredTarget(name, Removed: false, null);
        }
        finally
        {
            NativeFile.Close(folder);
        }
    }
}
