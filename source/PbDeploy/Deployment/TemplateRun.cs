using PbDeploy.Manifest;
using PbDeploy.Status;
using PbDeploy.Templating;

namespace PbDeploy.Deployment;

/// <summary>The files a service's templates were rendered to.</summary>
/// <param name="Service">The service's name.</param>
/// <param name="Files">Its rendered templates, in manifest order.</param>
public sealed record ServiceRender(string Service, IReadOnlyList<RenderedFile> Files);

/// <summary>Renders the templates of several services as a deploy would, all or nothing.</summary>
public static class TemplateRun
{
    /// <summary>
    /// Renders every template of <paramref name="services"/> in memory (with <c>pid</c> where the service runs), then
    /// writes them: a bad template anywhere means no file is written.
    /// </summary>
    /// <exception cref="TemplateException">A template references an unknown or unavailable variable; nothing was written.</exception>
    /// <exception cref="PbDeployException">A template cannot be read or a target written; the message names the file.</exception>
    public static IReadOnlyList<ServiceRender> Render(DeployManifest manifest, IReadOnlyList<ServiceDefinition> services, StatusReader? statusReader = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(services);
        Platform.PlatformCheck.ThrowIfUnsupported();
        var withTemplates = services.Where(s => s.Templates.Count > 0).ToList();
        var statuses = ActivePorts.Read(ref manifest, withTemplates, statusReader ?? new StatusReader());
        var prepared = withTemplates
            .Select((service, i) => ActivePorts.Copy(service, statuses[i]))
            .Select((service, i) => TemplateWriter.Prepare(manifest, service, VariableScope.ForService(manifest, service, statuses[i].ForTemplates())))
            .ToList();
        return [.. prepared.Select(p => new ServiceRender(p.Service.Name, p.Commit()))];
    }
}
