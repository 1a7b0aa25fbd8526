using Newtonsoft.Json.Linq;
using Newtonsoft.Json;
using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;
using PbDeploy.Templating;

namespace PbDeploy.Tests.Templating;

/// <summary>Builds manifests and scopes directly (without the loader) for templating tests.</summary>
internal static class TestManifest
{
    private static readonly JsonLoadSettings WithLineInfo = new() { LineInfoHandling = LineInfoHandling.Load };

    /// <summary>A service from its JSON: <c>port</c>, <c>start</c>, <c>pidfile</c>, <c>templates</c> (strings) are read from it.</summary>
    public static ServiceDefinition Service(string name, string json, string projectDir = "/srv/site") =>
        Service(name, JObject.Parse(json, WithLineInfo), projectDir);

    public static ServiceDefinition Service(string name, JObject values, string projectDir = "/srv/site")
    {
        var location = new SourceLocation(Path.Combine(projectDir, "pbdeploy.json"), 3, 5);
        return new ServiceDefinition
        {
            Name = name,
            Port = (int?)values["port"],
            Pidfile = (string?)values["pidfile"],
            Start = (string?)values["start"] ?? "true",
            Templates = values["templates"] is JArray templates
                ? templates.Select(t => Spec((string)t!, location)).ToList()
                : [],
            Values = values,
            Location = location,
        };
    }

    public static TemplateSpec Spec(string source, SourceLocation location) =>
        new(source, source.EndsWith(".template", StringComparison.Ordinal) ? source[..^".template".Length] : source, location);

    public static DeployManifest NewManifest(string variablesJson = "{}", string projectDir = "/srv/site", params ServiceDefinition[] services) =>
        new()
        {
            Path = Path.Combine(projectDir, "pbdeploy.json"),
            ProjectDir = projectDir,
            Variables = JObject.Parse(variablesJson),
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
}
