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
    /// <summary>
    /// Renders every template of <paramref name="service"/> in memory first (so a bad template writes nothing),
    /// then writes each target atomically, keeping the template's file mode, leaving unchanged targets untouched.
    /// </summary>
    public static IReadOnlyList<RenderedFile> Write(DeployManifest manifest, ServiceDefinition service, VariableScope scope) =>
        throw new NotImplementedException();
}
