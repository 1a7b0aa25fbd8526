using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PbDeploy.Import;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Import;

/// <summary>Real python3 runs of settings files, one per case, each in its own folder.</summary>
public sealed class PythonSettingsImporterTests
{
    private static readonly PythonSettingsImporter Importer = new(
        TestService.Python, environment: new Dictionary<string, string?> { ["SOLR_EXAMPLE"] = "/opt/solr/example", ["PBDEPLOY_TEST_UNSET"] = null });

    private static async Task<(JsonObject Services, IReadOnlyList<string> Notes, ImportResult Result)> ImportAsync(TempDirectory dir, string settings)
    {
        var path = dir.Write("settings_deploy.py", settings);
        var result = await Importer.ImportAsync(path);
        return (JsonNode.Parse(result.Json)!["services"]!.AsObject(), result.Notes, result);
    }

    private static async Task<string> ErrorOf(TempDirectory dir, string settings, PythonSettingsImporter? importer = null)
    {
        var path = dir.Write("settings_deploy.py", settings);
        var e = await Should.ThrowAsync<PbDeployException>(() => (importer ?? Importer).ImportAsync(path));
        e.Message.ShouldNotContain("\n");
        return e.Message;
    }

    private const string Simple = "SERVICES = {'web': {'port': 8000, 'start': 'true'}}\n";

    [Fact(Timeout = 60_000)]
    public async Task Import_warns_once_for_each_service_a_redeploy_would_leave_running()
    {
        using var dir = new TempDirectory();

        var (_, notes, _) = await ImportAsync(dir, """
            SERVICES = {
                'web': {'port': 8000, 'start': 'true', 'restart': 'kill -HUP {pid}'},
                'api': {'port': 8001, 'start': 'true', 'daemonizes': False},
                'db': {'port': 8002, 'start': 'true', 'restart': None},
            }
            """);

        notes.Where(n => n.StartsWith("warning: ", StringComparison.Ordinal)).ShouldBe(
        [
            "warning: api has no 'restart', so a redeploy leaves it running (as pbdeploy 1.2 did) and its old build keeps serving; add \"restart\": true to have PbDeploy stop and start it on each deploy",
            "warning: db has no 'restart', so a redeploy leaves it running (as pbdeploy 1.2 did) and its old build keeps serving; add \"restart\": true to have PbDeploy stop and start it on each deploy",
        ]);
    }

    /// <summary>Python imports from the settings file's folder: in a folder as /tmp, another user's json.py ran as root.</summary>
    [Fact(Timeout = 60_000)]
    public async Task A_settings_file_in_a_folder_other_users_can_write_is_refused_before_python_runs_anything_of_theirs()
    {
        using var dir = new TempDirectory();
        var shared = OtherUser.SharedFolder(dir, "shared");
        var settings = Path.Combine(shared, "settings_deploy.py");
        File.WriteAllText(settings, Simple);
        await OtherUser.RunAsync($"echo 'open(\"{shared}/ran\", \"w\").close()' > {shared}/json.py");

        var e = await Should.ThrowAsync<PbDeployException>(() => Importer.ImportAsync(settings));

        e.Message.ShouldBe(
            $"settings file {settings} is in the folder {shared} that other users can write (mode 1777), where they could put modules it imports; "
            + $"pbdeploy import runs it with python3: copy it to a folder of yours that only you can write, or if you trust it, set PBDEPLOY_ALLOW_MANIFEST={settings}");
        File.Exists($"{shared}/ran").ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_settings_file_another_user_owns_is_refused_before_python_runs_it()
    {
        using var dir = new TempDirectory();
        var settings = dir.Write("settings_deploy.py", $"open('{dir.Combine("ran")}', 'w').close()\n{Simple}");
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        using (var chown = Process.Start("chown", [$"{OtherUser.Uid}", settings]))
        {
            await chown.WaitForExitAsync();
        }

        var e = await Should.ThrowAsync<PbDeployException>(() => Importer.ImportAsync(settings));

        e.Message.ShouldStartWith($"settings file {settings} belongs to uid {OtherUser.Uid}, not to you (uid 0), so it could make you run anything; ");
        File.Exists(dir.Combine("ran")).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task The_helpers_own_imports_never_come_from_the_settings_files_folder()
    {
        using var dir = new TempDirectory();
        dir.Write("json.py", $"open('{dir.Combine("ran")}', 'w').close()\n");
        dir.Write("traceback.py", $"open('{dir.Combine("ran")}', 'w').close()\n");

        var (services, _, _) = await ImportAsync(dir, Simple);

        services.ContainsKey("web").ShouldBeTrue();
        File.Exists(dir.Combine("ran")).ShouldBeFalse();
    }

    [Theory(Timeout = 60_000)]
    [InlineData("django-nginx")]
    [InlineData("nginx-gunicorn-solr")]
    public async Task The_seed_readme_examples_convert_to_exactly_the_manifests_in_the_docs(string example)
    {
        using var dir = new TempDirectory();
        var source = Path.Combine(AppContext.BaseDirectory, "docs", "migrating", example);
        File.Copy(Path.Combine(source, "settings_deploy.py"), dir.Combine("settings_deploy.py"));

        var result = await Importer.ImportAsync(dir.Combine("settings_deploy.py"));

        result.Json.ShouldBe(File.ReadAllText(Path.Combine(source, "pbdeploy.json")));
        result.Manifest.Path.ShouldBe(dir.Combine("pbdeploy.json"));
        result.Manifest.ProjectDir.ShouldBe(dir.Path);
        File.Exists(dir.Combine("pbdeploy.json")).ShouldBeFalse("ImportAsync writes nothing");
        Directory.GetFiles(dir.Path, ".*").ShouldBeEmpty("the validation's temporary file is gone");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_readme_example_as_printed_is_a_syntax_error_with_its_line()
    {
        using var dir = new TempDirectory();
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "migrating", "nginx-gunicorn-solr", "as-printed.py"));

        var message = await ErrorOf(dir, text);

        message.ShouldStartWith($"{dir.Combine("settings_deploy.py")}:18: running the settings file failed: SyntaxError: ");
    }

    [Fact(Timeout = 60_000)]
    public async Task Values_computed_in_python_become_their_values()
    {
        using var dir = new TempDirectory();
        dir.Write("ports.py", "BASE = 8000\n");
        dir.Write("domain.txt", "example.org\n");
        var (services, _, _) = await ImportAsync(dir, """
            import os, pathlib
            from ports import BASE
            print("settings print to stdout; the import ignores it")
            SERVICES = {
                "web": {
                    "port": BASE + 1,
                    "start": "serve --root " + os.getenv("SOLR_EXAMPLE"),
                    "cwd": pathlib.Path("/srv") / "app",
                    "domain": open("domain.txt").read().strip(),
                    "ratio": 0.5,
                    "flags": ("a", 1, True),
                    "site": {"title": "Hi"},
                    "unset": os.getenv("PBDEPLOY_TEST_UNSET"),
                },
            }
            """);

        services["web"]!.ToJsonString().ShouldBe(
            """{"port":8001,"start":"serve --root /opt/solr/example","cwd":"/srv/app","domain":"example.org","ratio":0.5,"flags":["a",1,true],"site":{"title":"Hi"}}""");
    }

    [Fact(Timeout = 60_000)]
    public async Task List_form_commands_become_one_shell_quoted_string()
    {
        using var dir = new TempDirectory();
        var (services, notes, _) = await ImportAsync(dir, """
            SERVICES = {"solr": {"port": 8983, "start": ["java", "-Dx={port}", "-jar", "it's here.jar"], "before": ["echo", "a b"]}}
            """);

        services["solr"]!["start"]!.ToString().ShouldBe("""java '-Dx={port}' -jar 'it'"'"'s here.jar'""");
        services["solr"]!["before"]!.ToString().ShouldBe("echo 'a b'");
        notes.ShouldContain(n => n.StartsWith("solr: 'start' is a list", StringComparison.Ordinal) && n.EndsWith("""java '-Dx={port}' -jar 'it'"'"'s here.jar'""", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("solr: 'before' is a list", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Pid_in_start_before_after_and_templates_is_noted()
    {
        using var dir = new TempDirectory();
        dir.Write("app.conf.template", "pid = {pid}\nport = {port}\nlit = {{x}}\n");
        var (_, notes, _) = await ImportAsync(dir, """
            SERVICES = {"app": {
                "port": 8000,
                "start": "run --old {pid}",
                "before": "echo {pid}",
                "after": "echo started {pid}",
                "restart": "kill -HUP {pid}",
                "stop": "kill {pid}",
                "templates": ["app.conf.template"],
            }}
            """);

        notes.ShouldContain(n => n.StartsWith("app: 'start' uses {pid}: pbdeploy 1.2 rendered it as 'None'", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("app: 'before' uses {pid}", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("app: 'after' uses {pid}: pbdeploy 1.2 always rendered it as 'None'", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("app: template app.conf.template uses {pid}", StringComparison.Ordinal));
        notes.ShouldNotContain(n => n.Contains("'restart' uses", StringComparison.Ordinal) || n.Contains("'stop' uses", StringComparison.Ordinal));
        notes.ShouldNotContain(n => n.Contains("no 'stop'", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("templates render as in pbdeploy 1.2", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Settings_whose_meaning_changed_are_noted()
    {
        using var dir = new TempDirectory();
        var (services, notes, _) = await ImportAsync(dir, """
            SHELL = "/bin/zsh"
            SERVICES = {
                "worker": {"pidfile": "run/worker.pid", "start": "worker", "daemonizes": False, "cwd": None},
                "web": {"port": 8000, "pidfile": "web.pid", "start": "web --flag {debug} --w {port:d}", "restart": "kill -s SIGHUP {pid}", "debug": True,
                        "stop": "", "context": {"workers": 4}, "env": {"A": "1"}},
            }
            """);

        var web = services["web"]!;
        web["pidfile"].ShouldBeNull();
        web["stop"].ShouldBeNull();
        web["restart"]!.ToString().ShouldBe("kill -s HUP {pid}");
        web["workers"]!.GetValue<int>().ShouldBe(4);
        web["context"].ShouldBeNull();
        services["worker"]!["cwd"].ShouldBeNull();
        notes.ShouldContain(n => n.StartsWith("values the settings file computes", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("worker: daemonizes: False: ", StringComparison.Ordinal) && n.Contains(".pbdeploy/logs/worker.log", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("worker, web: no 'cwd' (or None)", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("worker, web: no 'stop': pbdeploy 1.2 ran `kill {pid}`", StringComparison.Ordinal));
        notes.ShouldContain("web: has both 'port' and 'pidfile'; pbdeploy 1.2 used the port and ignored the pidfile, PbDeploy allows only one: 'pidfile' is left out");
        notes.ShouldContain(n => n.StartsWith("web: 'restart': \"kill -s SIGHUP {pid}\" became \"kill -s HUP {pid}\"", StringComparison.Ordinal));
        web["start"]!.ToString().ShouldBe("web --flag {debug} --w {port}");
        notes.ShouldContain("web: 'start': \"web --flag {debug} --w {port:d}\" became \"web --flag {debug} --w {port}\": Python's :d and :s (and !s) insert the value as it is, as a plain {name} does");
        notes.ShouldContain("web: 'start' uses {debug}: it renders as 'true', not Python's 'True'");
        notes.ShouldContain(n => n.StartsWith("web: 'env' was a template variable in pbdeploy 1.2", StringComparison.Ordinal));
        notes.ShouldContain(n => n.StartsWith("web: the entries of 'context' are now keys of the service", StringComparison.Ordinal));
        notes.ShouldContain("web: keys 'debug', 'workers' are not settings: kept as template variables ({debug}, {workers}), as in pbdeploy 1.2");
        notes.ShouldContain("SHELL = '/bin/zsh': written as \"shell\": \"/bin/zsh\", so that every command runs as /bin/zsh -c COMMAND, as in pbdeploy 1.2");
        notes.ShouldContain(n => n.StartsWith("pbdeploy 1.2 deployed services one after another", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Bash_only_commands_get_shell_bash_and_project_dir_templates_are_kept()
    {
        using var dir = new TempDirectory();
        var (services, notes, result) = await ImportAsync(dir, """
            SERVICES = {"app": {"port": 8000, "start": "source env/bin/activate && app", "daemonizes": 1,
                                "templates": ["{project_dir}/app.ini.template"]}}
            """);

        services["app"]!["daemonizes"]!.GetValueKind().ShouldBeOneOf(JsonValueKind.True, JsonValueKind.False);
        services["app"]!["daemonizes"]!.GetValue<bool>().ShouldBeTrue();
        services["app"]!["templates"]!.ToJsonString().ShouldBe("""["{project_dir}/app.ini.template"]""");
        result.Manifest.GetService("app").Shell.ShouldBe("bash");
        result.Json.ShouldStartWith("{\n  \"shell\": \"bash\",\n  \"services\": {");
        notes.ShouldContain(n => n.StartsWith("app: 'daemonizes' is 1, which Python takes as True", StringComparison.Ordinal));
        notes.ShouldNotContain(n => n.Contains("template \"{project_dir}/app.ini.template\"", StringComparison.Ordinal));
        notes.ShouldContain("pbdeploy 1.2 ran commands with /bin/bash (its default SHELL), and these look bash-only: app.start (source); written as \"shell\": \"bash\" (PbDeploy's default is /bin/sh -c)");
        notes.ShouldNotContain(n => n.Contains("is bash syntax", StringComparison.Ordinal), "with shell bash the manifest loads without a warning");
        notes.ShouldNotContain(n => n.StartsWith("pbdeploy 1.2 deployed services one after another", StringComparison.Ordinal));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("pushd app && serve", "app.start (pushd)")]
    [InlineData("serve &> out.log", "app.start (&>)")]
    [InlineData("mkdir -p logs/{a,b} && serve", "app.start ({a,b})")]
    [InlineData("echo 'source x' && serve", null)]
    [InlineData("serve # [[ later ]]", null)]
    public async Task Import_takes_bash_only_syntax_as_the_manifest_check_does(string start, string? bashOnly)
    {
        using var dir = new TempDirectory();
        var (_, notes, result) = await ImportAsync(dir, $$$"""
            SERVICES = {"app": {"port": 8000, "start": "{{{start}}}"}}
            """);

        result.Manifest.GetService("app").Shell.ShouldBe(bashOnly is null ? "/bin/sh" : "bash");
        if (bashOnly is null)
        {
            notes.ShouldNotContain(n => n.Contains("look bash-only", StringComparison.Ordinal));
        }
        else
        {
            notes.ShouldContain(n => n.Contains($"these look bash-only: {bashOnly};", StringComparison.Ordinal));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_manifest_elsewhere_notes_that_project_dir_moves()
    {
        using var dir = new TempDirectory();
        var settings = dir.Write("old/settings_deploy.py", """SERVICES = {"a": {"port": 8000, "start": "a {project_dir}"}}""");
        Directory.CreateDirectory(dir.Combine("new"));

        var result = await Importer.ImportAsync(settings, dir.Combine("new", "pbdeploy.json"));

        result.Manifest.ProjectDir.ShouldBe(dir.Combine("new"));
        result.Notes.ShouldContain(n => n.StartsWith($"{{project_dir}} and relative paths (cwd, pidfile, templates) now mean the folder of pbdeploy.json, {dir.Combine("new")}", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Variables_in_template_paths_are_kept_and_the_template_is_checked_where_they_point()
    {
        using var dir = new TempDirectory();
        dir.Write("conf/site.conf.template", "listen {port:d};\nroot {root!s};\n");
        var settings = dir.Write("settings_deploy.py", """
            SERVICES = {"web": {"port": 8000, "start": "true", "conf_dir": "conf", "root": "/srv",
                                "templates": ["{conf_dir}/site.conf.template"]}}
            """);

        var message = (await Should.ThrowAsync<InputException>(() => Importer.ImportAsync(settings))).Message;

        message.ShouldBe(
            $"{dir.Combine("conf", "site.conf.template")}:2: {{root!s}} in template conf/site.conf.template of service 'web': PbDeploy does not have Python's conversion '!s' "
            + "(it renders :d and :s as the plain value, and :q quoted for the shell); write {root}, or compute the formatted value in the settings file and use it here; nothing was written");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("{port:d}", "{port}")]
    [InlineData("{name:s}", "{name}")]
    [InlineData("{name!s}", "{name}")]
    [InlineData("{name!s:s}", "{name}")]
    [InlineData("{{port:d}} {port:d}", "{{port:d}} {port}")]
    public async Task Python_format_specs_that_render_the_same_become_plain_references(string written, string expected)
    {
        using var dir = new TempDirectory();
        var (services, _, result) = await ImportAsync(dir, $$$"""SERVICES = {"web": {"port": 8000, "start": "serve {{{written}}}"}}""");

        services["web"]!["start"]!.ToString().ShouldBe($"serve {expected}");
        result.Manifest.Warnings.ShouldBeEmpty();
    }

    [Theory(Timeout = 60_000)]
    [InlineData("{port:>5}", "format ':>5'", "port")]
    [InlineData("{ratio:.2f}", "format ':.2f'", "ratio")]
    [InlineData("{name!r}", "conversion '!r'", "name")]
    public async Task A_format_spec_import_cannot_map_is_refused_with_the_line_of_the_settings_file_and_nothing_is_written(string field, string what, string name)
    {
        using var dir = new TempDirectory();
        var message = await ErrorOf(dir, $$"""
            SERVICES = {
                "web": {"port": 8000, "ratio": 0.5,
                        "start": "serve {{field}}"},
            }
            """);

        message.ShouldBe(
            $"{dir.Combine("settings_deploy.py")}:3: {field} in 'start' of service 'web': PbDeploy does not have Python's {what} (it renders :d and :s as the plain value, and :q quoted for the shell); "
            + $"write {{{name}}}, or compute the formatted value in the settings file; nothing was written");
        Directory.GetFiles(dir.Path).Select(Path.GetFileName).ShouldBe(["settings_deploy.py"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Near_miss_keys_come_back_as_notes()
    {
        using var dir = new TempDirectory();
        var (_, notes, _) = await ImportAsync(dir, """SERVICES = {"a": {"port": 8000, "start": "a", "daemonize": False}}""");

        notes.ShouldContain("services.a: 'daemonize' is not a setting; did you mean 'daemonizes'? (it is kept as a template variable)");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_file_that_raises_names_its_line_and_error()
    {
        using var dir = new TempDirectory();
        var message = await ErrorOf(dir, "import os\n\nPORT = int(os.environ['PBDEPLOY_TEST_UNSET'])\nSERVICES = {}\n");

        message.ShouldStartWith($"{dir.Combine("settings_deploy.py")}:3: running the settings file failed: KeyError: 'PBDEPLOY_TEST_UNSET'; fix the file");
    }

    [Fact(Timeout = 60_000)]
    public async Task An_error_raised_in_an_imported_module_names_both_places()
    {
        using var dir = new TempDirectory();
        dir.Write("helper.py", "def port():\n    return 1 / 0\n");
        var message = await ErrorOf(dir, "from helper import port\nSERVICES = {'a': {'port': port(), 'start': 'a'}}\n");

        message.ShouldStartWith($"{dir.Combine("settings_deploy.py")}:2: running the settings file failed: ZeroDivisionError: division by zero (raised in {dir.Combine("helper.py")}:2)");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("PORT = 1\n", "defines no SERVICES; a pbdeploy settings file sets SERVICES = ")]
    [InlineData("SERVICES = [1]\n", "SERVICES must be a dict of services { \"NAME\": { \"port\": ..., \"start\": ... } }, got a list ([1])")]
    [InlineData("SERVICES = {'a': 'x'}\n", "SERVICES['a'] must be a dict of settings { \"port\": ..., \"start\": ... }, got a str ('x')")]
    [InlineData("SERVICES = {'web': {'port': 1, 'start': {'a', 'b'} - {'a', 'b'}}}\n", "SERVICES['web']['start'] is a set (set()), which JSON cannot express")]
    [InlineData("SERVICES = {'web': {'port': 1, 'start': b'run'}}\n", "SERVICES['web']['start'] is a bytes (b'run'), which JSON cannot express")]
    [InlineData("SERVICES = {'web': {'port': 1, 'start': 'x', 'app': object}}\n", "SERVICES['web']['app'] is a type (<class 'object'>), which JSON cannot express")]
    [InlineData("SERVICES = {'web': {'port': 1, 'start': 'x', 'w': [1, float('nan')]}}\n", "SERVICES['web']['w'][1] is a float (nan), which JSON cannot express")]
    [InlineData("import sys\nsys.exit(3)\n", "it called sys.exit(3) while it ran; a settings file must define SERVICES and not exit")]
    [InlineData("SERVICES = {'web': {'port': '8000', 'start': 'x'}}\n", "SERVICES converts to an invalid pbdeploy.json: services.web.port: must be an integer from 1 to 65535, got \"8000\"; change that value in settings_deploy.py and import again")]
    [InlineData("SERVICES = {}\n", "SERVICES converts to an invalid pbdeploy.json: services: has no service")]
    public async Task Bad_settings_are_one_line_errors(string settings, string expected)
    {
        using var dir = new TempDirectory();

        var message = await ErrorOf(dir, settings);

        message.ShouldStartWith($"{dir.Combine("settings_deploy.py")}: {expected}");
        Directory.GetFiles(dir.Path).Select(Path.GetFileName).ShouldBe(["settings_deploy.py"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_function_value_names_the_service_and_key()
    {
        using var dir = new TempDirectory();

        var message = await ErrorOf(dir, "def start():\n    return 'x'\nSERVICES = {'web': {'port': 1, 'start': start}}\n");

        message.ShouldStartWith($"{dir.Combine("settings_deploy.py")}: SERVICES['web']['start'] is a function (<function start at 0x");
        message.ShouldEndWith("which JSON cannot express; give a string, number, bool, None, list or dict (with string keys) in settings_deploy.py");
    }

    [Fact(Timeout = 60_000)]
    public async Task Missing_python3_is_a_clear_error()
    {
        using var dir = new TempDirectory();

        var message = await ErrorOf(dir, "SERVICES = {}\n", new PythonSettingsImporter(pythonPath: "/nonexistent/python3"));

        message.ShouldStartWith($"cannot run /nonexistent/python3 to read {dir.Combine("settings_deploy.py")}: ");
        message.ShouldContain("install python3");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_settings_file_is_a_clear_error()
    {
        using var dir = new TempDirectory();

        var e = await Should.ThrowAsync<PbDeployException>(() => Importer.ImportAsync(dir.Combine("settings_deploy.py")));

        e.Message.ShouldBe($"settings file {dir.Combine("settings_deploy.py")} does not exist; pass the path of the Python tool's settings_deploy.py");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_file_that_hangs_is_killed_after_the_timeout()
    {
        using var dir = new TempDirectory();
        var importer = new PythonSettingsImporter(TestService.Python, timeout: TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var message = await ErrorOf(dir, "import os, time\nopen('pid', 'w').write(str(os.getpid()))\ntime.sleep(60)\n", importer);

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        message.ShouldContain("did not finish within 1 s and was killed");
        var pid = int.Parse(File.ReadAllText(dir.Combine("pid")), System.Globalization.CultureInfo.InvariantCulture);
        await Wait.Until(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5), $"python {pid} gone");
    }

    [Fact(Timeout = 60_000)]
    public async Task WriteTo_refuses_an_existing_file_unless_asked_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory();
        var (_, _, result) = await ImportAsync(dir, "SERVICES = {'a': {'port': 8000, 'start': 'a'}}\n");
        var target = dir.Write("pbdeploy.json", "old");

        Should.Throw<PbDeployException>(() => result.WriteTo(target, overwrite: false))
            .Message.ShouldBe($"{target} already exists; pass --force to replace it, or -o PATH to write elsewhere");
        File.ReadAllText(target).ShouldBe("old");
        result.WriteTo(target, overwrite: true);
        File.ReadAllText(target).ShouldBe(result.Json);
        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order().ShouldBe(["pbdeploy.json", "settings_deploy.py"]);
    }
}
