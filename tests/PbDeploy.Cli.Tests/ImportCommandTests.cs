using System.Text.RegularExpressions;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

public sealed partial class ImportCommandTests
{
    private const string Settings = """
        SERVICES = {
            "web": {"port": 8000, "start": "python3 -m http.server {port}", "restart": "kill -s SIGHUP {pid}", "daemonizes": False},
        }
        """;

    private static string Expected => """
        {
          "services": {
            "web": {
              "port": 8000,
              "start": "python3 -m http.server {port}",
              "restart": "kill -s HUP {pid}",
              "daemonizes": false
            }
          }
        }

        """;

    [Fact(Timeout = 60_000)]
    public async Task Import_writes_the_manifest_beside_the_settings_and_lists_the_notes()
    {
        using var dir = new TempDirectory();
        var settings = dir.Write("settings_deploy.py", Settings);

        var result = await Pbdeploy.RunAsync("import", settings);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldBeEmpty();
        File.ReadAllText(dir.Combine("pbdeploy.json")).ShouldBe(Expected);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe($"wrote {dir.Combine("pbdeploy.json")}: 1 service (web)");
        lines[1].ShouldBe("What changed meaning (check each; see docs/migrating-from-pbdeploy.md):");
        lines.Skip(2).ShouldAllBe(l => l.StartsWith("  - ", StringComparison.Ordinal));
        result.Stdout.ShouldContain("  - web: 'restart': \"kill -s SIGHUP {pid}\" became \"kill -s HUP {pid}\"");
        result.Stdout.ShouldContain("  - web: daemonizes: False: ");
        result.Stdout.ShouldContain("  - web: no 'stop': ");
        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order().ShouldBe(["pbdeploy.json", "settings_deploy.py"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Import_says_which_services_a_redeploy_would_leave_running()
    {
        using var dir = new TempDirectory();
        var settings = dir.Write("settings_deploy.py", """
            SERVICES = {
                "web": {"port": 8000, "start": "true", "restart": "kill -s HUP {pid}"},
                "api": {"port": 8001, "start": "python3 -m http.server {port}", "daemonizes": False},
            }
            """);

        var result = await Pbdeploy.RunAsync("import", settings);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var warnings = result.Stdout.Split('\n').Where(l => l.Contains("a redeploy leaves it running", StringComparison.Ordinal)).ToList();
        warnings.ShouldBe(
        [
            "  - warning: api has no 'restart', so a redeploy leaves it running (as pbdeploy 1.2 did) and its old build keeps serving; add \"restart\": true to have PbDeploy stop and start it on each deploy",
        ]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Import_refuses_to_overwrite_without_force()
    {
        using var dir = new TempDirectory();
        var settings = dir.Write("settings_deploy.py", Settings);
        var output = dir.Write("out/pbdeploy.json", "{ \"mine\": true }");

        var refused = await Pbdeploy.RunAsync("import", settings, "-o", output);

        refused.ExitCode.ShouldBe(2);
        refused.Stderr.ShouldBe($"pbdeploy: error: {output} already exists; pass --force to replace it, or -o PATH to write elsewhere\n");
        File.ReadAllText(output).ShouldBe("{ \"mine\": true }");

        var forced = await Pbdeploy.RunAsync("import", settings, "-o", output, "--force");

        forced.ExitCode.ShouldBe(0, forced.Stderr);
        File.ReadAllText(output).ShouldBe(Expected);
        forced.Stdout.ShouldContain($"now mean the folder of pbdeploy.json, {dir.Combine("out")}");
        Directory.GetFiles(dir.Combine("out")).Select(Path.GetFileName).ShouldBe(["pbdeploy.json"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_settings_file_is_one_line_and_exit_2_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        var settings = dir.Write("settings_deploy.py", "SERVICES = {\n    'web': {'port': PORT, 'start': 'x'},\n}\n");

        var result = await Pbdeploy.RunAsync("import", settings);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldBe($"pbdeploy: error: {settings}:2: running the settings file failed: NameError: name 'PORT' is not defined; fix the file so that `python3 settings_deploy.py` runs in its folder\n");
        result.Stdout.ShouldBeEmpty();
        File.Exists(dir.Combine("pbdeploy.json")).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_format_spec_import_cannot_map_exits_2_with_the_line_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        var settings = dir.Write("settings_deploy.py", "SERVICES = {\n    'web': {'port': 8000,\n            'start': 'serve --port {port:>5}'},\n}\n");

        var result = await Pbdeploy.RunAsync("import", settings);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldBe(
            $"pbdeploy: error: {settings}:3: {{port:>5}} in 'start' of service 'web': PbDeploy does not have Python's format ':>5' (it renders :d and :s as the plain value, "
            + "and :q quoted for the shell); write {port}, or compute the formatted value in the settings file; nothing was written\n");
        result.Stdout.ShouldBeEmpty();
        Directory.GetFiles(dir.Path).Select(Path.GetFileName).ShouldBe(["settings_deploy.py"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_manifest_that_would_not_load_exits_2_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        var settings = dir.Write("settings_deploy.py", "SERVICES = {'web': {'port': 70000, 'start': 'serve'}}\n");

        var result = await Pbdeploy.RunAsync("import", settings);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldStartWith($"pbdeploy: error: {settings}: SERVICES converts to an invalid pbdeploy.json: services.web.port: must be an integer from 1 to 65535, got 70000;");
        Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ShouldBe(["settings_deploy.py"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_Python_READMEs_kill_s_SIGHUP_under_the_default_shell_is_a_warning_on_stderr()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("pbdeploy.json", """
            {
              "services": {
                "nginx": { "port": 8080, "start": "nginx -c {project_dir}/nginx.conf", "restart": "kill -s SIGHUP {pid}" }
              }
            }
            """);

        var result = await Pbdeploy.RunAsync("status", "--manifest", manifest);

        result.Stderr.ShouldContain(
            $"pbdeploy: warning: {manifest}:3:88: services.nginx.restart: kill -s SIGHUP is bash syntax (a signal name with the SIG prefix, which dash's kill refuses), "
            + "and this command runs with /bin/sh; set \"shell\": \"bash\" in the service or at the top level, or name the signal without SIG (kill -s HUP)\n");
    }

    [Fact(Timeout = 60_000)]
    public async Task Import_without_arguments_reads_settings_deploy_py_of_the_current_folder()
    {
        using var dir = new TempDirectory();
        var project = Directory.CreateDirectory(dir.Combine("site")).FullName;
        File.WriteAllText(Path.Combine(project, "settings_deploy.py"), Settings);

        var result = await Pbdeploy.RunProcessAsync(dir, project, [], "import");
        var missing = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "import");

        result.ExitCode.ShouldBe(0, result.Stderr);
        File.ReadAllText(Path.Combine(project, "pbdeploy.json")).ShouldBe(Expected);
        missing.ExitCode.ShouldBe(2);
        missing.Stderr.ShouldBe($"pbdeploy: error: no settings_deploy.py in {dir.Path}; run pbdeploy import in its folder or pass its path: pbdeploy import PATH/settings_deploy.py\n");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("django-nginx")]
    [InlineData("nginx-gunicorn-solr")]
    public async Task The_migration_guide_shows_what_import_prints(string example)
    {
        using var dir = new TempDirectory();
        var project = Directory.CreateDirectory(dir.Combine("site")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "docs", "migrating", example, "settings_deploy.py"), Path.Combine(project, "settings_deploy.py"));

        var result = await Pbdeploy.RunProcessAsync(dir, project, ["env", "SOLR_EXAMPLE=/opt/solr/example"], "import");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var guide = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "migrating-from-pbdeploy.md"));
        var shown = TextBlock().Matches(guide).Select(m => m.Groups[1].Value).ToList();
        shown.ShouldContain(result.Stdout.Replace(project, "/srv/site", StringComparison.Ordinal));
        File.ReadAllText(Path.Combine(project, "pbdeploy.json"))
            .ShouldBe(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "migrating", example, "pbdeploy.json")));
    }

    [GeneratedRegex(@"^```text\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex TextBlock();
}
