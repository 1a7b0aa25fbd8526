using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests.Support;

/// <summary>Manifests of test services (tests/services/testservice.py) on the test's own ports.</summary>
public static class Manifests
{
    /// <summary>Writes pbdeploy.json with <paramref name="services"/> (the inside of "services": { ... }).</summary>
    public static string Write(TempDirectory dir, string services) => dir.Write("pbdeploy.json", $$"""
        {
          "variables": { "python": "{{TestService.Python}}", "script": "{{TestService.Script}}" },
          "services": { {{services}} }
        }
        """);

    /// <summary>A backgrounded test service on <paramref name="port"/>; <paramref name="extra"/> are more settings (",\"before\": ...").</summary>
    public static string Server(int port, string args = "", string extra = "") =>
        $$"""{ "port": {{port}}, "start": "exec {python} {script} --port {port} {{args}}", "daemonizes": false, "stop_timeout": 5{{extra}} }""";
}
