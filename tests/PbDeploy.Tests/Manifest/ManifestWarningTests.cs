using PbDeploy.Manifest;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Manifest;

/// <summary>Keys one or two letters away from a setting still load, as template variables, with a warning.</summary>
public sealed class ManifestWarningTests
{
    [Theory]
    [InlineData("daemonize", "daemonizes")]
    [InlineData("Port", "port")]
    [InlineData("prot", "port")]
    [InlineData("pid_file", "pidfile")]
    [InlineData("dependson", "depends_on")]
    [InlineData("depend_on", "depends_on")]
    [InlineData("start_timout", "start_timeout")]
    [InlineData("templtaes", "templates")]
    [InlineData("template", "templates")]
    [InlineData("restrat", "restart")]
    [InlineData("CWD", "cwd")]
    [InlineData("logs", "log")]
    public void A_near_miss_of_a_setting_is_a_warning(string key, string setting)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", $$"""
            {
              "services": {
                "web": {
                  "port": 8000, "start": "serve",
                  "{{key}}": "x"
                }
              }
            }
            """);

        var manifest = ManifestLoader.Load(path);

        var warning = manifest.Warnings.ShouldHaveSingleItem();
        warning.Message.ShouldBe($"services.web: '{key}' is not a setting; did you mean '{setting}'? (it is kept as a template variable)");
        warning.Location.ShouldBe(new SourceLocation(path, 5, 7));
        warning.ToString().ShouldBe($"{path}:5:7: {warning.Message}");
        manifest.GetService("web").Values[key]!.String!.Text.ShouldBe("x");
    }

    [Theory]
    [InlineData("host")]
    [InlineData("domain")]
    [InlineData("workers")]
    [InlineData("server_name")]
    [InlineData("user")]
    [InlineData("url")]
    [InlineData("static_root")]
    public void An_ordinary_template_variable_is_no_warning(string key)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", $$"""{ "services": { "web": { "port": 8000, "start": "serve", "{{key}}": "x" } } }""");

        ManifestLoader.Load(path).Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void A_log_for_a_service_that_daemonizes_itself_is_no_warning_its_start_commands_output_goes_there()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", """
            {
              "services": {
                "web": { "port": 8000, "start": "serve", "log": "web.log" }
              }
            }
            """);

        ManifestLoader.Load(path).Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Warnings_come_in_manifest_order()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", """
            {
              "services": {
                "a": { "port": 1, "start": "s", "daemonize": false },
                "b": { "port": 2, "start": "s", "Stop": "kill {pid}" }
              }
            }
            """);

        ManifestLoader.Load(path).Warnings.Select(w => (w.Location.Line, w.Message)).ShouldBe(
        [
            (3, "services.a: 'daemonize' is not a setting; did you mean 'daemonizes'? (it is kept as a template variable)"),
            (4, "services.b: 'Stop' is not a setting; did you mean 'stop'? (it is kept as a template variable)"),
        ]);
    }
}
