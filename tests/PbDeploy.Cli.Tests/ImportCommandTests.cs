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
