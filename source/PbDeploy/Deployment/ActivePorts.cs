using PbDeploy.Manifest;
using PbDeploy.Status;

namespace PbDeploy.Deployment;

/// <summary>The active port of each blue-green service, for what renders <c>{services.NAME.port}</c> outside a deploy.</summary>
internal static class ActivePorts
{
    /// <summary>
    /// Reads the status of <paramref name="services"/> and, in the same scan, of every blue-green service of the
    /// manifest, and sets <paramref name="manifest"/> to the manifest with their active ports.
    /// </summary>
    /// <returns>The status of <paramref name="services"/>, in order.</returns>
    public static IReadOnlyList<ServiceStatus> Read(ref DeployManifest manifest, IReadOnlyList<ServiceDefinition> services, StatusReader reader)
    {
        var blueGreen = manifest.Services.Where(s => s.Ports is not null).ToList();
        var scanned = reader.Read(manifest, [.. services, .. blueGreen]);
        manifest = manifest.WithActivePorts(scanned.Skip(services.Count).ToDictionary(s => s.Name, s => s.Port!.Value));
        return [.. scanned.Take(services.Count)];
    }

    /// <summary>A blue-green service as the copy found running (its <c>{port}</c>), else the service itself.</summary>
    public static ServiceDefinition Copy(ServiceDefinition service, ServiceStatus status) =>
        service.Ports is not null && status.Port is { } port ? service.OnPort(port) : service;
}
