using PbDeploy.Manifest;
using PbDeploy.Status;

namespace PbDeploy.Templating;

/// <summary>The variables a service's templates and commands see.</summary>
public sealed class VariableScope
{
    /// <summary>
    /// The variables of <paramref name="service"/>: <c>project_dir</c>, <c>name</c>, <c>port</c>, <c>pid</c> and
    /// <c>pids</c> (from <paramref name="status"/>; <c>pid</c> is an error where nothing runs), <c>env.NAME</c>,
    /// <c>services.OTHER.KEY</c>, the manifest's <c>variables</c> and every key of the service.
    /// </summary>
    public static VariableScope ForService(DeployManifest manifest, ServiceDefinition service, ServiceStatus? status) =>
        throw new NotImplementedException();
}
