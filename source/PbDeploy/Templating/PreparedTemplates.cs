using PbDeploy.Manifest;

namespace PbDeploy.Templating;

/// <summary>A service's templates, rendered in memory and compared with their targets; <see cref="Commit"/> writes them.</summary>
internal sealed class PreparedTemplates
{
    private readonly IReadOnlyList<TemplateWriter.Pending> _pending;

    internal PreparedTemplates(ServiceDefinition service, IReadOnlyList<TemplateWriter.Pending> pending)
    {
        Service = service;
        _pending = pending;
    }

    /// <summary>The service the templates belong to.</summary>
    public ServiceDefinition Service { get; }

    /// <summary>The targets that will change when committed.</summary>
    public IReadOnlyList<string> ChangedTargets => [.. _pending.Where(p => p.Changed).Select(p => p.Target)];

    /// <summary>Writes every changed target atomically (temporary file created with its final mode, then rename over the path, never through a link), with the template's permission bits only.</summary>
    /// <exception cref="PbDeployException">A target cannot be written; the message names the file.</exception>
    /// <param name="backup">From <see cref="Backup"/>: told of each target replaced, for a rollback.</param>
    public IReadOnlyList<RenderedFile> Commit(TemplateBackup? backup = null) => TemplateWriter.Commit(Service, _pending, backup);

    /// <summary>What the targets that will change hold now (bytes and mode, or no file): call it just before <see cref="Commit"/>.</summary>
    public TemplateBackup Backup() => TemplateBackup.Take(_pending.Where(p => p.Changed));
}
