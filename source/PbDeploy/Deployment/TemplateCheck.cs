using PbDeploy.Manifest;
using PbDeploy.Status;
using PbDeploy.Templating;

namespace PbDeploy.Deployment;

/// <summary>Renders the templates of several services in memory, as a deploy would, and writes nothing.</summary>
public static class TemplateCheck
{
    /// <summary>
    /// Reads and renders every template of <paramref name="services"/> (with <c>pid</c> where the service runs) and
    /// checks every target as a deploy would, writing no file: what <c>git push</c> validates before a commit lands.
    /// </summary>
    /// <returns>The number of templates rendered.</returns>
    /// <exception cref="TemplateException">A template references an unknown or unavailable variable.</exception>
    /// <exception cref="PbDeployException">A template cannot be read or a target must not be written; the message names the file.</exception>
    public static int Check(DeployManifest manifest, IReadOnlyList<ServiceDefinition> services, StatusReader? statusReader = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(services);
        Platform.PlatformCheck.ThrowIfUnsupported();
        var withTemplates = services.Where(s => s.Templates.Count > 0).ToList();
        var statuses = ActivePorts.Read(ref manifest, withTemplates, statusReader ?? new StatusReader());
        return withTemplates
            .Select((service, i) => ActivePorts.Copy(service, statuses[i]))
            .Select((service, i) => TemplateWriter.Prepare(manifest, service, VariableScope.ForService(manifest, service, statuses[i].ForTemplates())))
            .Sum(prepared => prepared.Service.Templates.Count);
    }
}
