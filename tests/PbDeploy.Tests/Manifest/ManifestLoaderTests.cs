using PbDeploy.Manifest;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Manifest;

public sealed class ManifestLoaderTests
{
    private static DeployManifest Load(TempDirectory dir, string json) => ManifestLoader.Load(dir.Write("pbdeploy.json", json));

    [Fact]
    public void Loads_every_setting_of_a_service()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """
            {
              "services": {
                "db": { "port": 5432, "start": "pg_ctl start" },
                "web": {
                  "port": 8000,
                  "start": "python3 -m http.server {port}",
                  "restart": "kill -s HUP {pid}",
                  "stop": "kill {pid}",
                  "cwd": "app",
                  "log": "logs/web.log",
                  "before": ["pip install -r requirements.txt", "make"],
                  "after": "python3 manage.py migrate",
                  "daemonizes": false,
                  "templates": ["nginx.conf.template", { "source": "tpl/app.ini", "target": "app.ini" }],
                  "env": { "APP_ENV": "production" },
                  "depends_on": ["db"],
                  "start_timeout": 2.5,
                  "stop_timeout": 60,
                  "workers": 4
                }
              }
            }
            """);

        var web = manifest.GetService("web");
        web.Name.ShouldBe("web");
        web.Port.ShouldBe(8000);
        web.Pidfile.ShouldBeNull();
        web.Start.Text.ShouldBe("python3 -m http.server {port}");
        web.Restart!.Text.ShouldBe("kill -s HUP {pid}");
        web.Stop!.Text.ShouldBe("kill {pid}");
        web.Cwd!.Text.ShouldBe("app");
        web.Log!.Text.ShouldBe("logs/web.log");
        web.Before.Select(c => c.Text).ShouldBe(["pip install -r requirements.txt", "make"]);
        web.After.Select(c => c.Text).ShouldBe(["python3 manage.py migrate"]);
        web.Daemonizes.ShouldBeFalse();
        web.Templates.Select(t => (t.Source, t.Target)).ShouldBe([("nginx.conf.template", "nginx.conf"), ("tpl/app.ini", "app.ini")]);
        web.Templates[0].Location.ShouldBe(new SourceLocation(manifest.Path, 14, 21));
        web.Env.ShouldBe(new Dictionary<string, string> { ["APP_ENV"] = "production" });
        web.DependsOn.ShouldBe(["db"]);
        web.StartTimeout.ShouldBe(TimeSpan.FromSeconds(2.5));
        web.StopTimeout.ShouldBe(TimeSpan.FromSeconds(60));
        web.Values["workers"]!.NumberText.ShouldBe("4");
        web.Location.ShouldBe(new SourceLocation(manifest.Path, 4, 5));
        manifest.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Restart_true_is_the_built_in_stop_and_start_and_false_or_absent_leaves_a_running_service_alone()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """
            {
              "services": {
                "a": { "port": 8001, "start": "serve", "restart": true, "command_timeout": 90 },
                "b": { "port": 8002, "start": "serve", "restart": false },
                "c": { "port": 8003, "start": "serve" },
                "d": { "port": 8004, "start": "serve", "restart": "kill {pid}" }
              }
            }
            """);

        var a = manifest.GetService("a");
        (a.Restart, a.RestartsByStopAndStart, a.LeftRunning).ShouldBe((null, true, false));
        a.CommandTimeout.ShouldBe(TimeSpan.FromSeconds(90));
        var b = manifest.GetService("b");
        (b.Restart, b.RestartsByStopAndStart, b.LeftRunning).ShouldBe((null, false, true));
        var c = manifest.GetService("c");
        (c.RestartsByStopAndStart, c.LeftRunning).ShouldBe((false, true));
        c.CommandTimeout.ShouldBe(TimeSpan.FromMinutes(10));
        var d = manifest.GetService("d");
        (d.Restart!.Text, d.RestartsByStopAndStart, d.LeftRunning).ShouldBe(("kill {pid}", false, false));
        manifest.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void A_service_with_only_port_and_start_gets_the_defaults()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """{ "services": { "web": { "port": 8000, "start": "serve" } } }""");

        var web = manifest.Services.ShouldHaveSingleItem();
        web.Restart.ShouldBeNull();
        web.Stop.ShouldBeNull();
        web.Cwd.ShouldBeNull();
        web.Log.ShouldBeNull();
        web.Pidfile.ShouldBeNull();
        web.Before.ShouldBeEmpty();
        web.After.ShouldBeEmpty();
        web.Daemonizes.ShouldBeTrue();
        web.Templates.ShouldBeEmpty();
        web.Env.ShouldBeEmpty();
        web.DependsOn.ShouldBeEmpty();
        web.StartTimeout.ShouldBe(TimeSpan.FromSeconds(30));
        web.StopTimeout.ShouldBe(TimeSpan.FromSeconds(10));
        manifest.Variables.Properties.Count.ShouldBe(0);
        manifest.Env.ShouldBeEmpty();
        manifest.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Loads_the_example_of_the_design()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """
            {
              "$schema": "./pbdeploy.schema.json",
              "variables": { "domain": "example.org" },
              "env": { "APP_ENV": "production" },
              "services": {
                "nginx": {
                  "port": 8080,
                  "start": "nginx -c {project_dir}/nginx.conf",
                  "restart": "kill -s HUP {pid}",
                  "templates": ["nginx.conf.template"],
                  "depends_on": ["app"]
                },
                "app": {
                  "port": 8000,
                  "start": "python3 -m http.server {port} --bind 127.0.0.1",
                  "daemonizes": false,
                  "before": ["pip install -r requirements.txt", "python3 manage.py collectstatic --noinput"],
                  "after": "python3 manage.py migrate",
                  "cwd": "app"
                }
              }
            }
            """);

        manifest.Path.ShouldBe(dir.Combine("pbdeploy.json"));
        manifest.ProjectDir.ShouldBe(dir.Path);
        manifest.Variables["domain"]!.String!.Text.ShouldBe("example.org");
        manifest.Env.ShouldBe(new Dictionary<string, string> { ["APP_ENV"] = "production" });
        manifest.Services.Select(s => s.Name).ShouldBe(["nginx", "app"]);
        manifest.Services.Select(s => s.Port).ShouldBe([8080, 8000]);
        manifest.GetService("nginx").DependsOn.ShouldBe(["app"]);
        manifest.GetService("nginx").Templates.ShouldHaveSingleItem().Target.ShouldBe("nginx.conf");
        manifest.GetService("app").Before.Count.ShouldBe(2);
        manifest.GetService("app").Daemonizes.ShouldBeFalse();
        manifest.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void A_pidfile_service_needs_no_port()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """{ "services": { "solr": { "pidfile": "run/solr.pid", "start": "java -jar start.jar" } } }""");

        var solr = manifest.GetService("solr");
        solr.Port.ShouldBeNull();
        solr.Pidfile!.Text.ShouldBe("run/solr.pid");
    }

    [Fact]
    public void Null_is_the_same_as_leaving_an_optional_setting_out()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """
            {
              "variables": null,
              "env": null,
              "services": {
                "web": {
                  "port": 8000, "pidfile": null, "start": "serve", "restart": null, "cwd": null, "before": null,
                  "daemonizes": null, "templates": null, "env": null, "depends_on": null, "stop_timeout": null
                }
              }
            }
            """);

        var web = manifest.GetService("web");
        web.Pidfile.ShouldBeNull();
        web.Restart.ShouldBeNull();
        web.Before.ShouldBeEmpty();
        web.Daemonizes.ShouldBeTrue();
        web.StopTimeout.ShouldBe(TimeSpan.FromSeconds(10));
        manifest.Variables.Properties.Count.ShouldBe(0);
        manifest.Env.ShouldBeEmpty();
    }

    [Fact]
    public void A_null_start_is_still_missing()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", """{ "services": { "web": { "port": 8000, "start": null } } }""");

        Should.Throw<ManifestException>(() => ManifestLoader.Load(path))
            .Problem.ShouldBe("services.web: 'start' is required: the command that starts the service");
    }

    [Fact]
    public void Env_values_may_be_numbers_and_booleans_written_as_their_json_text()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """
            {
              "env": { "WORKERS": 4, "RATIO": 0.25, "DEBUG": false, "NAME": "x" },
              "services": { "web": { "port": 8000, "start": "serve", "env": { "BIG": 12345678901, "ON": true } } }
            }
            """);

        manifest.Env.ShouldBe(new Dictionary<string, string> { ["WORKERS"] = "4", ["RATIO"] = "0.25", ["DEBUG"] = "false", ["NAME"] = "x" });
        manifest.GetService("web").Env.ShouldBe(new Dictionary<string, string> { ["BIG"] = "12345678901", ["ON"] = "true" });
    }

    [Fact]
    public void Before_after_depends_on_and_templates_accept_a_single_string()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """
            {
              "services": {
                "db": { "port": 5432, "start": "db" },
                "web": { "port": 8000, "start": "s", "before": "a", "after": "b", "depends_on": "db", "templates": "x.conf.template" }
              }
            }
            """);

        var web = manifest.GetService("web");
        web.Before.Select(c => c.Text).ShouldBe(["a"]);
        web.After.Select(c => c.Text).ShouldBe(["b"]);
        web.DependsOn.ShouldBe(["db"]);
        web.Templates.ShouldHaveSingleItem().Target.ShouldBe("x.conf");
    }

    [Fact]
    public void A_template_object_without_target_drops_the_template_suffix()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """{ "services": { "web": { "port": 1, "start": "s", "templates": [{ "source": "conf/site.conf.template" }] } } }""");

        manifest.GetService("web").Templates.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            t => t.Source.ShouldBe("conf/site.conf.template"),
            t => t.Target.ShouldBe("conf/site.conf"));
    }

    [Fact]
    public void Values_is_the_loaded_service_object_with_its_line_info()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """
            {
              "services": {
                "web": {
                  "port": 8000,
                  "start": "serve",
                  "server_name": "example.org",
                  "upstream": { "host": "127.0.0.1" }
                }
              }
            }
            """);

        var web = manifest.GetService("web");
        web.Values.Kind.ShouldBe(ManifestValueKind.Object);
        web.Values.Location.ShouldBe(new SourceLocation(manifest.Path, 3, 12));
        web.Values.Properties.Select(p => p.Name).ShouldBe(["port", "start", "server_name", "upstream"]);
        web.Values["upstream"]!["host"]!.String!.Text.ShouldBe("127.0.0.1");
        web.Values["server_name"]!.Location.ShouldBe(new SourceLocation(manifest.Path, 6, 22));
    }

    [Fact]
    public void Comments_trailing_commas_and_a_byte_order_mark_are_accepted()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("pbdeploy.json");
        File.WriteAllText(path, """
            // Deploy of the demo site.
            {
              "services": {
                /* the web server */
                "web": { "port": 8000, "start": "serve", },
              },
            }
            // end
            """, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var manifest = ManifestLoader.Load(path);

        manifest.GetService("web").Port.ShouldBe(8000);
        manifest.GetService("web").Location.ShouldBe(new SourceLocation(path, 5, 5));
    }

    [Fact]
    public void Keys_without_quotes_single_quotes_and_raw_tabs_are_accepted_as_before()
    {
        // Not JSON, but earlier versions read it: such a manifest goes on deploying the same.
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", "{\n  services: {\n    'web': { port: 8000, 'start': 'serve\t{port}', \"x\": 'it\\'s' }\n  }\n}\n");

        var web = ManifestLoader.Load(path).GetService("web");

        web.Port.ShouldBe(8000);
        web.Start.Text.ShouldBe("serve\t{port}");
        web.Start.Location.ShouldBe(new SourceLocation(path, 3, 35));
        web.Values["x"]!.String!.Text.ShouldBe("it's");
        web.Location.ShouldBe(new SourceLocation(path, 3, 5));
    }

    [Theory]
    // A strict manifest (read by System.Text.Json) and the same with a comment the strict reader also takes, and with
    // single quotes that only the lenient reader takes: every value is placed the same.
    [InlineData("{ \"services\": { \"web\": { \"port\": 8000, \"start\": \"a \\\"q\\\" {prot}\" } } }")]
    [InlineData("{ \"services\": { \"web\": { \"port\": 8000, \"start\": \"a \\\"q\\\" {prot}\" } } } // end")]
    [InlineData("{ \"services\": { 'web': { \"port\": 8000, \"start\": \"a \\\"q\\\" {prot}\" } } }")]
    public void Both_readers_place_values_and_template_errors_alike(string json)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", json);

        var manifest = ManifestLoader.Load(path);
        var web = manifest.GetService("web");

        web.Location.ShouldBe(new SourceLocation(path, 1, 17));
        web.Values["port"]!.Location.ShouldBe(new SourceLocation(path, 1, 34));
        web.Start.Location.ShouldBe(new SourceLocation(path, 1, 49));
        // The reference is placed with the escaped quotes before it counted as written: its brace is at column 58.
        web.Start.Locate(web.Start.Text.IndexOf('{', StringComparison.Ordinal)).ShouldBe(new SourceLocation(path, 1, 58));
    }

    [Fact]
    public void Strings_that_look_like_dates_stay_strings()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """{ "variables": { "release": "2024-01-02T03:04:05Z" }, "services": { "web": { "port": 1, "start": "s" } } }""");

        manifest.Variables["release"]!.Kind.ShouldBe(ManifestValueKind.String);
        manifest.Variables["release"]!.String!.Text.ShouldBe("2024-01-02T03:04:05Z");
    }

    [Fact]
    public void Services_keep_manifest_order_and_may_depend_on_services_defined_later()
    {
        using var dir = new TempDirectory();
        var manifest = Load(dir, """
            {
              "services": {
                "web": { "port": 1, "start": "s", "depends_on": ["api", "cache"] },
                "api": { "port": 2, "start": "s", "depends_on": ["db", "cache"] },
                "cache": { "port": 3, "start": "s" },
                "db": { "port": 4, "start": "s" },
                "my-worker_2": { "pidfile": "w.pid", "start": "s", "depends_on": "db" }
              }
            }
            """);

        manifest.Services.Select(s => s.Name).ShouldBe(["web", "api", "cache", "db", "my-worker_2"]);
    }

    [Fact]
    public void A_relative_path_is_made_full()
    {
        using var dir = new TempDirectory();
        dir.Write("sub/pbdeploy.json", """{ "services": { "web": { "port": 1, "start": "s" } } }""");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, dir.Combine("sub", "pbdeploy.json"));

        var manifest = ManifestLoader.Load(relative);

        manifest.Path.ShouldBe(dir.Combine("sub", "pbdeploy.json"));
        manifest.ProjectDir.ShouldBe(dir.Combine("sub"));
    }

    [Fact]
    public void ServiceSettings_lists_every_setting()
    {
        ManifestLoader.ServiceSettings.ShouldBe(
            ["port", "ports", "pidfile", "start", "restart", "stop", "cwd", "log", "before", "after", "daemonizes", "templates",
             "env", "depends_on", "start_timeout", "stop_timeout", "command_timeout", "shell"],
            ignoreOrder: true);
    }
}
