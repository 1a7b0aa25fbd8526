using Newtonsoft.Json;

namespace PbDeploy.Manifest;

/// <summary>Where a service's setting is written in the manifest, for error messages.</summary>
public static class ValueLocation
{
    /// <summary>The location of <c>key</c>'s value in <paramref name="service"/>, or of the service itself when unknown.</summary>
    public static SourceLocation Of(ServiceDefinition service, string key)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Values[key] is IJsonLineInfo info && info.HasLineInfo()
            ? service.Location with { Line = info.LineNumber, Column = info.LinePosition }
            : service.Location;
    }
}
