using System.Text;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;
using PbDeploy.Templating;

namespace PbDeploy.Tests.Templating;

/// <summary>Builds manifests and scopes directly (without the loader's checks) for templating tests.</summary>
internal static class TestManifest
{
    /// <summary>
    /// A service from its JSON: <c>port</c>, <c>start</c>, <c>pidfile</c>, <c>restart</c>, <c>stop</c>, <c>cwd</c>,
    /// <c>log</c>, <c>before</c>, <c>after</c> and <c>templates</c> (strings) are read from it.
    /// </summary>
    public static ServiceDefinition Service(string name, string json, string projectDir = "/srv/site") =>
        Service(name, Parse(json, Path.Combine(projectDir, "pbdeploy.json")), projectDir);

    public static ServiceDefinition Service(string name, ManifestValue values, string projectDir = "/srv/site")
    {
        var location = new SourceLocation(Path.Combine(projectDir, "pbdeploy.json"), 3, 5);
        return new ServiceDefinition
        {
            Name = name,
            Port = values["port"] is { } port && port.TryGetInt64(out var number) ? (int)number : null,
            Pidfile = values["pidfile"]?.String,
            Start = values["start"]?.String ?? new TemplateString("true", location),
            Restart = values["restart"]?.String,
            Stop = values["stop"]?.String,
            Cwd = values["cwd"]?.String,
            Log = values["log"]?.String,
            Before = Strings(values["before"]),
            After = Strings(values["after"]),
            Templates = values["templates"] is { Kind: ManifestValueKind.Array } templates
                ? templates.Items.Select(t => Spec(t.String!.Text, location)).ToList()
                : [],
            Values = values,
            Location = location,
        };
    }

    /// <summary>JSON text as the loader reads it, as if it were the file at <paramref name="path"/>.</summary>
    public static ManifestValue Parse(string json, string path = "/srv/site/pbdeploy.json") =>
        ManifestJson.Parse(path, Encoding.UTF8.GetBytes(json));

    public static TemplateSpec Spec(string source, SourceLocation location) =>
        new(source, source.EndsWith(".template", StringComparison.Ordinal) ? source[..^".template".Length] : source, location);

    public static DeployManifest NewManifest(string variablesJson = "{}", string projectDir = "/srv/site", params ServiceDefinition[] services) =>
        new()
        {
            Path = Path.Combine(projectDir, "pbdeploy.json"),
            ProjectDir = projectDir,
            Variables = Parse(variablesJson, Path.Combine(projectDir, "pbdeploy.json")),
            Services = services,
        };

    /// <summary>The scope of the first service of a one-service manifest.</summary>
    public static VariableScope Scope(string serviceJson, string variablesJson = "{}", ServiceStatus? status = null)
    {
        var service = Service("web", serviceJson);
        return VariableScope.ForService(NewManifest(variablesJson, services: service), service, status?.ForTemplates());
    }

    public static ServiceStatus Running(string name, int pid, params int[] pids) =>
        new() { Name = name, Port = 8000, State = ServiceState.Running, Pid = pid, Pids = pids.Length > 0 ? pids : [pid] };

    public static ServiceStatus Stopped(string name) => new() { Name = name, Port = 8000, State = ServiceState.Stopped };

    public static string Render(string text, VariableScope scope) =>
        Template.Render(text, new SourceLocation("test.template", 1, 1), scope);

    private static List<TemplateString> Strings(ManifestValue? value) => value switch
    {
        { Kind: ManifestValueKind.String } one => [one.String!],
        { Kind: ManifestValueKind.Array } list => [.. list.Items.Select(item => item.String!)],
        _ => [],
    };
}
