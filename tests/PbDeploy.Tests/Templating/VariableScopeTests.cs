using PbDeploy.Processes;
using PbDeploy.Status;
using PbDeploy.Templating;
using static PbDeploy.Tests.Templating.TestManifest;

namespace PbDeploy.Tests.Templating;

public class VariableScopeTests
{
    [Fact]
    public void Project_dir_name_and_port_are_built_in() =>
        Render("{project_dir} {name} {port}", Scope("""{ "port": 8000 }""")).ShouldBe("/srv/site web 8000");

    [Fact]
    public void Pid_is_the_master_pid_of_a_running_service() =>
        Render("kill -s HUP {pid}", Scope("""{ "port": 8000 }""", status: Running("web", 4242))).ShouldBe("kill -s HUP 4242");

    [Fact]
    public void Pids_lists_every_holder_separated_by_spaces() =>
        Render("kill {pids}", Scope("""{ "port": 8000 }""", status: Running("web", 100, 100, 101, 102))).ShouldBe("kill 100 101 102");

    [Fact]
    public void Pid_of_a_stopped_service_is_an_error_that_says_why()
    {
        var error = Should.Throw<TemplateException>(() => Render("kill {pid}", Scope("""{ "port": 8000 }""", status: Stopped("web"))));
        error.Problem.ShouldBe("'pid' is not available: service 'web' is not running (nothing listens on port 8000)");
    }

    [Fact]
    public void Pid_without_a_status_is_an_error()
    {
        var error = Should.Throw<TemplateException>(() => Render("{pids}", Scope("""{ "port": 8000 }""")));
        error.Problem.ShouldStartWith("'pids' is not available: service 'web' is not running");
    }

    [Fact]
    public void Pid_of_a_port_held_by_an_invisible_process_says_so()
    {
        var status = new ServiceStatus { Name = "web", Port = 8000, State = ServiceState.Foreign, SocketUid = 0 };
        var error = Should.Throw<TemplateException>(() => Render("{pid}", Scope("""{ "port": 8000 }""", status: status)));
        error.Problem.ShouldBe("'pid' is not available: port 8000 is in use by a process PbDeploy cannot see (uid 0)");
    }

    [Fact]
    public void Port_of_a_pidfile_service_is_an_error()
    {
        var error = Should.Throw<TemplateException>(() => Render("{port}", Scope("""{ "pidfile": "run/app.pid" }""")));
        error.Problem.ShouldBe("'port' is not available: service 'web' has no port (it is found by its pidfile)");
    }

    [Fact]
    public void Env_reads_the_process_environment()
    {
        var home = Environment.GetEnvironmentVariable("PATH")!;
        Render("{env.PATH}", Scope("{}")).ShouldBe(home);
    }

    [Fact]
    public void Env_of_the_service_overrides_the_manifest_which_overrides_the_process()
    {
        var service = Service("web", """{ "port": 8000 }""") with { Env = new Dictionary<string, string> { ["MODE"] = "service" } };
        var manifest = NewManifest(services: service) with
        {
            Env = new Dictionary<string, string> { ["MODE"] = "manifest", ["PATH"] = "/manifest/bin", ["ONLY_MANIFEST"] = "m" },
        };
        var scope = VariableScope.ForService(manifest, service, null);

        Render("{env.MODE} {env.PATH} {env.ONLY_MANIFEST} {env.PORT}", scope).ShouldBe("service /manifest/bin m 8000");
    }

    [Fact]
    public void An_unset_environment_variable_is_an_error_that_says_where_to_set_it()
    {
        var error = Should.Throw<TemplateException>(() => Render("{env.PBDEPLOY_SURELY_UNSET_VARIABLE}", Scope("{}")));
        error.Problem.ShouldStartWith("environment variable 'PBDEPLOY_SURELY_UNSET_VARIABLE' is not set");
        error.Problem.ShouldEndWith("set it in the environment, or in 'env' of the manifest or of the service");
    }

    [Fact]
    public void Services_other_key_reads_another_services_values_port_and_name()
    {
        var web = Service("web", """{ "port": 8080 }""");
        var app = Service("app", """{ "port": 8000, "socket": "/run/app.sock", "workers": 4 }""");
        var scope = VariableScope.ForService(NewManifest(services: [web, app]), web, null);

        Render("{services.app.port} {services.app.name} {services.app.socket} {services.app.workers}", scope)
            .ShouldBe("8000 app /run/app.sock 4");
    }

    [Fact]
    public void Services_with_an_unknown_service_lists_the_services()
    {
        var web = Service("web", """{ "port": 8080 }""");
        var app = Service("app", """{ "port": 8000 }""");
        var scope = VariableScope.ForService(NewManifest(services: [web, app]), web, null);

        var error = Should.Throw<TemplateException>(() => Render("{services.ap.port}", scope));
        error.Problem.ShouldBe("there is no service 'ap'; did you mean 'app'? Services: web, app");
    }

    [Fact]
    public void Services_with_an_unknown_key_lists_that_services_keys()
    {
        var web = Service("web", """{ "port": 8080 }""");
        var app = Service("app", """{ "port": 8000, "start": "serve" }""");
        var scope = VariableScope.ForService(NewManifest(services: [web, app]), web, null);

        var error = Should.Throw<TemplateException>(() => Render("{services.app.sock}", scope));
        error.Problem.ShouldBe("service 'app' has no key 'sock'. Its keys: name, port, start");
    }

    [Theory]
    [InlineData("""{ "v": 42 }""", "42")]
    [InlineData("""{ "v": -7 }""", "-7")]
    [InlineData("""{ "v": 12345678901234 }""", "12345678901234")]
    [InlineData("""{ "v": 1.5 }""", "1.5")]
    [InlineData("""{ "v": 2.0 }""", "2.0")]
    [InlineData("""{ "v": 0.1 }""", "0.1")]
    [InlineData("""{ "v": true }""", "true")]
    [InlineData("""{ "v": false }""", "false")]
    [InlineData("""{ "v": "text" }""", "text")]
    [InlineData("""{ "v": "" }""", "")]
    [InlineData("""{ "v": ["a", 1, true, 2.5] }""", "a 1 true 2.5")]
    [InlineData("""{ "v": [] }""", "")]
    public void Values_render_as_text(string json, string expected) =>
        Render("{v}", Scope(json)).ShouldBe(expected);

    [Fact]
    public void Numbers_render_in_the_invariant_culture_whatever_the_current_culture()
    {
        var culture = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Render("{v}", Scope("""{ "v": 1234.5 }""")).ShouldBe("1234.5");
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = culture;
        }
    }

    [Fact]
    public void A_null_value_is_an_error() =>
        Should.Throw<TemplateException>(() => Render("{v}", Scope("""{ "v": null }"""))).Problem.ShouldBe("'v' is null; give it a value");

    [Fact]
    public void A_service_key_overrides_a_manifest_variable() =>
        Render("{domain} {other}", Scope("""{ "domain": "service.example" }""", """{ "domain": "manifest.example", "other": "m" }"""))
            .ShouldBe("service.example m");

    [Fact]
    public void Built_ins_override_service_keys_and_manifest_variables() =>
        Render("{name} {project_dir}", Scope("""{ "name": "not-the-name" }""", """{ "project_dir": "/elsewhere" }"""))
            .ShouldBe("web /srv/site");

    [Fact]
    public void Names_lists_built_ins_keys_and_variables_sorted_then_env_and_services()
    {
        var scope = Scope("""{ "port": 8000, "start": "serve", "env": { "A": "1" } }""", """{ "domain": "x" }""");
        scope.Names.ShouldBe(["domain", "name", "pid", "pids", "port", "project_dir", "start", "env.*", "services.*"]);
    }

    [Fact]
    public void TryResolve_gives_the_value_or_the_reason()
    {
        var scope = Scope("""{ "port": 8000 }""");

        scope.TryResolve("port", out var value, out var whyNot).ShouldBeTrue();
        value.ShouldBe("8000");
        whyNot.ShouldBeNull();

        scope.TryResolve("prot", out value, out whyNot).ShouldBeFalse();
        value.ShouldBeNull();
        whyNot.ShouldStartWith("unknown variable 'prot'; did you mean 'port'?");
    }

    [Fact]
    public void Render_locates_an_error_at_the_reference_in_the_manifest_file()
    {
        using var dir = new Support.TempDirectory();
        const string json = "{\n  \"services\": {\n    \"web\": {\n      \"port\": 8000,\n      \"start\": \"serve \\\"x\\\" --port {port} {prot}\"\n    }\n  }\n}\n";
        var path = dir.Write("pbdeploy.json", json);
        var values = Parse(json, path)["services"]!["web"]!;
        var service = Service("web", values, dir.Path);
        var scope = VariableScope.ForService(NewManifest(projectDir: dir.Path, services: service), service, null);

        var error = Should.Throw<TemplateException>(() => scope.Render(service.Start));

        // Line 5 is `      "start": "serve \"x\" --port {port} {prot}"`: the brace is at column 43, counting the escapes as written.
        error.Location.ShouldBe(new SourceLocation(path, 5, 43));
        error.Problem.ShouldStartWith("unknown variable 'prot'; did you mean 'port'?");
    }

    [Fact]
    public void Render_renders_a_string_or_a_list_of_commands()
    {
        var scope = Scope("""{ "port": 8000, "before": ["echo {port}", "echo {name}"], "after": "echo done {port}" }""");

        scope.Render(scope.Service.Before).ShouldBe(["echo 8000", "echo web"]);
        scope.Render(scope.Service.After).ShouldBe(["echo done 8000"]);
        scope.Service.Stop.ShouldBeNull();
        scope.Render(scope.Service.Stop).ShouldBeNull();
        scope.Render(scope.Service.After[0]).ShouldBe("echo done 8000");
        scope.Render(scope.Service.Restart).ShouldBeNull();
    }
}
