using System.Text;
using PbDeploy.Manifest;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Manifest;

/// <summary>Every invalid manifest fails with one line that names the file, line, column and key, and says what is expected.</summary>
public sealed class ManifestErrorTests
{
    // A service whose line 4 (column 7: key, column 15: value) is the setting under test.
    private const string Service = """
        {
          "services": {
            "web": {
              "port": 8000,
              "start": "serve"
            }
          }
        }
        """;

    [Theory]
    // Settings of a service, with wrong types and values.
    [InlineData("\"port\": 70000", 4, 15, "services.web.port: must be an integer from 1 to 65535, got 70000")]
    [InlineData("\"port\": 0", 4, 15, "services.web.port: must be an integer from 1 to 65535, got 0")]
    [InlineData("\"port\": \"8080\"", 4, 15, "services.web.port: must be an integer from 1 to 65535, got \"8080\"")]
    [InlineData("\"port\": 80.5", 4, 15, "services.web.port: must be an integer from 1 to 65535, got 80.5")]
    [InlineData("\"port\": 99999999999999999999999", 4, 15, "services.web.port: must be an integer from 1 to 65535, got 99999999999999999999999")]
    [InlineData("\"port\": 8000, \"pidfile\": \"run/web.pid\"", 4, 32, "services.web.pidfile: give either 'port' or 'pidfile', not both; PbDeploy finds the process by its port, or, for a service on a dynamic port, by its pidfile")]
    [InlineData("\"port\": 8000, \"ports\": [8001, 8002]", 4, 15, "services.web.port: give either 'port' or 'ports', not both; 'ports' [A, B] makes a blue-green service, 'port' a service replaced in place")]
    [InlineData("\"ports\": [8001, 8002], \"pidfile\": \"run/web.pid\"", 4, 41, "services.web.pidfile: give either 'ports' or 'pidfile', not both; a blue-green service is found by its two ports")]
    [InlineData("\"ports\": [8001, 8002, 8003]", 4, 16, "services.web.ports: must be two ports [A, B] (a redeploy starts the new copy on the one that is free), got an array of 3 items")]
    [InlineData("\"ports\": 8001", 4, 16, "services.web.ports: must be two ports [A, B] (a redeploy starts the new copy on the one that is free), got 8001")]
    [InlineData("\"ports\": [8001, 8001]", 4, 23, "services.web.ports[1]: names port 8001 twice; give two different ports")]
    [InlineData("\"ports\": [8001, \"8002\"]", 4, 23, "services.web.ports[1]: must be an integer from 1 to 65535, got \"8002\"")]
    [InlineData("\"ports\": [8001, 8002], \"restart\": \"kill {pid}\"", 4, 41, "services.web.restart: a service with 'ports' is always replaced by a new copy on its other port; remove 'restart'")]
    [InlineData("\"ports\": [8001, 8002], \"restart\": true", 4, 41, "services.web.restart: a service with 'ports' is always replaced by a new copy on its other port; remove 'restart'")]
    [InlineData("\"port\": 8000, \"stop\": \"\"", 4, 29, "services.web.stop: must not be empty; leave the key out (or set it to null) for the default")]
    [InlineData("\"port\": 8000, \"restart\": 5", 4, 32, "services.web.restart: must be a command (a string), or true to stop and start the service, got 5")]
    [InlineData("\"port\": 8000, \"command_timeout\": -1", 4, 40, "services.web.command_timeout: must be a number of seconds greater than 0 and at most 86400, got -1")]
    [InlineData("\"port\": 8000, \"daemonizes\": \"false\"", 4, 35, "services.web.daemonizes: must be true or false, got \"false\"")]
    [InlineData("\"port\": 8000, \"before\": [\"make\", 1]", 4, 40, "services.web.before[1]: must be a command (a string), got 1")]
    [InlineData("\"port\": 8000, \"after\": {}", 4, 30, "services.web.after: must be a command (a string) or an array of them, got an object")]
    [InlineData("\"port\": 8000, \"cwd\": [\"app\"]", 4, 28, "services.web.cwd: must be a string, got an array")]
    [InlineData("\"port\": 8000, \"templates\": [\"nginx.conf\"]", 4, 35, "services.web.templates[0]: \"nginx.conf\" does not end in '.template'; name the template X.template to have it written to X, or give { \"source\": ..., \"target\": ... }")]
    [InlineData("\"port\": 8000, \"templates\": [\".template\"]", 4, 35, "services.web.templates[0]: \".template\" does not end in '.template'; name the template X.template to have it written to X, or give { \"source\": ..., \"target\": ... }")]
    [InlineData("\"port\": 8000, \"templates\": [{ \"target\": \"a.conf\" }]", 4, 35, "services.web.templates[0]: 'source' is required: the template file")]
    [InlineData("\"port\": 8000, \"templates\": [{ \"source\": \"a.tpl\" }]", 4, 35, "services.web.templates[0]: 'target' is required: the source \"a.tpl\" does not end in '.template'")]
    [InlineData("\"port\": 8000, \"templates\": [{ \"source\": \"a.tpl\", \"tagret\": \"a\" }]", 4, 56, "services.web.templates[0]: unknown key 'tagret'; did you mean 'target'? A template has 'source' and 'target'")]
    [InlineData("\"port\": 8000, \"templates\": [{ \"source\": \"a.conf\", \"target\": \"a.conf\" }]", 4, 67, "services.web.templates[0].target: is the template itself; rendering would overwrite the template")]
    [InlineData("\"port\": 8000, \"templates\": 3", 4, 34, "services.web.templates: must be an array of template files, e.g. [\"nginx.conf.template\"], got 3")]
    [InlineData("\"port\": 8000, \"templates\": [\"a.conf.template\", \"./a.conf.template\"]", 4, 54, "services.web.templates[1]: target \"./a.conf\" is also written by this service's template (line 4); each file can have one template")]
    [InlineData("\"port\": 8000, \"env\": { \"A B\": \"x\" }", 4, 30, "services.web.env.'A B': 'A B' is not a valid environment variable name: use letters, digits and '_', not starting with a digit")]
    [InlineData("\"port\": 8000, \"env\": { \"A\": null }", 4, 35, "services.web.env.A: must be a string (or a number or true/false), got null")]
    [InlineData("\"port\": 8000, \"env\": [\"A=1\"]", 4, 28, "services.web.env: must be an object of environment variables { \"NAME\": \"value\" }, got an array")]
    [InlineData("\"port\": 8000, \"start_timeout\": 0", 4, 38, "services.web.start_timeout: must be a number of seconds greater than 0 and at most 86400, got 0")]
    [InlineData("\"port\": 8000, \"stop_timeout\": \"30s\"", 4, 37, "services.web.stop_timeout: must be a number of seconds greater than 0 and at most 86400, got \"30s\"")]
    [InlineData("\"port\": 8000, \"stop_timeout\": 100000", 4, 37, "services.web.stop_timeout: must be a number of seconds greater than 0 and at most 86400, got 100000")]
    [InlineData("\"port\": 8000, \"depends_on\": [\"web\"]", 4, 36, "services.web.depends_on: a service cannot depend on itself ('web')")]
    [InlineData("\"port\": 8000, \"depends_on\": \"db\"", 4, 35, "services.web.depends_on: there is no service 'db'; the services are: web")]
    [InlineData("\"port\": 8000, \"depends_on\": [\"db\", \"db\"]", 4, 42, "services.web.depends_on: names 'db' twice; list each service once")]
    [InlineData("\"port\": 8000, \"name\": \"site\"", 4, 21, "services.web.name: 'name' is a built-in variable (the service's name); choose another name for a template variable of the service")]
    [InlineData("\"port\": 8000, \"server-name\": \"x\"", 4, 21, "services.web.server-name: 'server-name' is not a valid variable name: use letters, digits and '_', not starting with a digit")]
    [InlineData("\"port\": 8000, \"start-timeout\": 5", 4, 21, "services.web.start-timeout: 'start-timeout' is not a setting; did you mean 'start_timeout'?")]
    // Malformed JSON.
    [InlineData("\"port\": 8000 \"x\": 1", 4, 20, "invalid JSON: unexpected '\"' after a value; is a ',' missing?")]
    [InlineData("\"port\": }", 4, 15, "invalid JSON: unexpected '}' where a value was expected")]
    [InlineData("\"port\": [8000}", 4, 20, "invalid JSON: unexpected '}'; this array is closed with ']'")]
    [InlineData("\"port\" 8000", 4, 14, "invalid JSON: expected ':' after the key, got '8'")]
    [InlineData("\"port\": 8000, \"port\": 8001", 4, 21, "services.web: duplicate key 'port'; each key may appear only once in an object")]
    public void A_wrong_setting_is_reported_with_its_key_line_and_column(string setting, int line, int column, string problem)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", Service.Replace("\"port\": 8000", setting, StringComparison.Ordinal));

        var error = Should.Throw<ManifestException>(() => ManifestLoader.Load(path));

        error.Problem.ShouldBe(problem);
        error.Location.ShouldBe(new SourceLocation(path, line, column));
        error.Message.ShouldBe($"{path}:{line}:{column}: {problem}");
    }

    [Theory]
    [InlineData("""
        {
          "services": {
            "web": { "start": "serve" }
          }
        }
        """, 3, 5, "services.web: give 'port' (the TCP port the service listens on) or 'pidfile' (a file that holds its pid)")]
    [InlineData("""
        {
          "services": {
            "web": { "port": 80 }
          }
        }
        """, 3, 5, "services.web: 'start' is required: the command that starts the service")]
    [InlineData("""
        {
          "services": {
            "web": "python3 -m http.server"
          }
        }
        """, 3, 12, "services.web: must be an object of settings { \"port\": ..., \"start\": ... }, got \"python3 -m http.server\"")]
    [InlineData("""
        {
          "services": {
            "web": null
          }
        }
        """, 3, 12, "services.web: must be an object of settings { \"port\": ..., \"start\": ... }, got null")]
    [InlineData("""
        {
          "services": {
            "my.web": { "port": 80, "start": "s" }
          }
        }
        """, 3, 5, "services: 'my.web' is not a valid service name; use letters, digits, '_' and '-', starting with a letter or '_'")]
    [InlineData("""
        {
          "variables": { "domain": "example.org" }
        }
        """, 1, 1, "'services' is required: an object of services, e.g. \"services\": { \"web\": { \"port\": 8000, \"start\": \"...\" } }")]
    [InlineData("""
        {
          "services": {}
        }
        """, 2, 15, "services: has no service; add one, e.g. \"web\": { \"port\": 8000, \"start\": \"...\" }")]
    [InlineData("""
        {
          "services": ["web"]
        }
        """, 2, 15, "services: must be an object of services { \"NAME\": { ... } }, got an array")]
    [InlineData("""
        {
          "service": { "web": { "port": 80, "start": "s" } }
        }
        """, 2, 3, "unknown key 'service'; did you mean 'services'? The top-level keys are $schema, variables, env, shell, services, hosts, rollout")]
    [InlineData("""
        {
          "vars": {},
          "services": { "web": { "port": 80, "start": "s" } }
        }
        """, 2, 3, "unknown key 'vars'; the top-level keys are $schema, variables, env, shell, services, hosts, rollout (template variables go in 'variables')")]
    [InlineData("""
        {
          "port": 80,
          "services": { "web": { "port": 80, "start": "s" } }
        }
        """, 2, 3, "'port' is a service setting; put it in a service: \"services\": { \"NAME\": { \"port\": ... } }")]
    [InlineData("""
        {
          "variables": { "pid": 1 },
          "services": { "web": { "port": 80, "start": "s" } }
        }
        """, 2, 18, "variables.pid: 'pid' is a built-in variable (the running service's pid); choose another name for a variable")]
    [InlineData("""
        {
          "variables": { "2fa": true },
          "services": { "web": { "port": 80, "start": "s" } }
        }
        """, 2, 18, "variables.2fa: '2fa' is not a valid variable name: use letters, digits and '_', not starting with a digit")]
    [InlineData("""
        {
          "variables": ["domain"],
          "services": { "web": { "port": 80, "start": "s" } }
        }
        """, 2, 16, "variables: must be an object of template variables { \"name\": value }, got an array")]
    [InlineData("""
        {
          "env": "APP_ENV=production",
          "services": { "web": { "port": 80, "start": "s" } }
        }
        """, 2, 10, "env: must be an object of environment variables { \"NAME\": \"value\" }, got \"APP_ENV=production\"")]
    [InlineData("""
        {
          "services": {
            "a": { "port": 8000, "start": "s" },
            "b": { "port": 8000, "start": "s" }
          }
        }
        """, 4, 20, "services.b.port: port 8000 is also the port of service 'a'; give each service its own port (line 3)")]
    [InlineData("""
        {
          "services": {
            "a": { "pidfile": "run.pid", "start": "s" },
            "b": { "pidfile": "run.pid", "start": "s" }
          }
        }
        """, 4, 23, "services.b.pidfile: \"run.pid\" is also the pidfile of service 'a'; give each service its own pidfile (line 3)")]
    [InlineData("""
        {
          "services": {
            "a": { "port": 1, "start": "s", "templates": ["x.conf.template"] },
            "b": { "port": 2, "start": "s", "templates": [{ "source": "y.tpl", "target": "x.conf" }] }
          }
        }
        """, 4, 51, "services.b.templates[0]: target \"x.conf\" is also written by service 'a' (line 3); each file can have one template")]
    [InlineData("""
        {
          "services": {
            "a": { "port": 1, "start": "s", "depends_on": ["b"] },
            "b": { "port": 2, "start": "s", "depends_on": ["a"] }
          }
        }
        """, 4, 52, "services.b.depends_on: dependency cycle a -> b -> a; remove one of these dependencies")]
    [InlineData("""
        {
          "services": {
            "a": { "port": 1, "start": "s", "depends_on": "b" },
            "b": { "port": 2, "start": "s", "depends_on": "c" },
            "c": { "port": 3, "start": "s", "depends_on": ["d", "a"] },
            "d": { "port": 4, "start": "s" }
          }
        }
        """, 5, 57, "services.c.depends_on: dependency cycle a -> b -> c -> a; remove one of these dependencies")]
    [InlineData("""
        [
          { "port": 1, "start": "s" }
        ]
        """, 1, 1, "the manifest must be a JSON object { \"services\": { ... } }, got an array")]
    [InlineData("""
        {
          "services": {
            "web": { "port": 1, "start": "s" }
          }
        """, 4, 4, "invalid JSON: the file ends early; a closing '}', ']' or '\"' is missing")]
    [InlineData("""
        {
          "services": { "web": { "port": 1, "start": "s" } }
        }
        }
        """, 4, 1, "invalid JSON: unexpected '}' after the end of the top-level object")]
    [InlineData("""
        {
          "services": { "web": { "port": 1, "start": "s" } },
          "services": {}
        }
        """, 3, 3, "duplicate key 'services'; each key may appear only once in an object")]
    [InlineData("   \n  ", 1, 1, "the file is empty; a manifest is a JSON object with at least \"services\"")]
    [InlineData("// nothing yet\n", 2, 1, "the file has no JSON, only comments; a manifest is a JSON object with at least \"services\"")]
    public void An_invalid_manifest_is_reported_with_its_line_and_column(string manifest, int line, int column, string problem)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", manifest);

        var error = Should.Throw<ManifestException>(() => ManifestLoader.Load(path));

        error.Problem.ShouldBe(problem);
        error.Location.ShouldBe(new SourceLocation(path, line, column));
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void Invalid_utf8_is_reported_at_the_bad_byte()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("pbdeploy.json");
        byte[] bytes = [.. "{\n  \"variables\": { \"x\": \"caf"u8, 0xE9, .. "\" }\n}"u8];
        File.WriteAllBytes(path, bytes);

        var error = Should.Throw<ManifestException>(() => ManifestLoader.Load(path));

        error.Problem.ShouldBe("byte 0xE9 is not valid UTF-8; save the file as UTF-8");
        error.Location.ShouldBe(new SourceLocation(path, 2, 27));
    }

    [Fact]
    public void A_utf16_file_is_refused_with_a_hint_to_save_it_as_utf8()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("pbdeploy.json");
        File.WriteAllText(path, "{ \"services\": {} }", Encoding.Unicode);

        var error = Should.Throw<ManifestException>(() => ManifestLoader.Load(path));

        error.Problem.ShouldBe("the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8");
        error.Location.ShouldBe(new SourceLocation(path, 1, 1));
    }

    [Fact]
    public void An_empty_file_is_reported_as_empty()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", "");

        var error = Should.Throw<ManifestException>(() => ManifestLoader.Load(path));

        error.Message.ShouldBe($"{path}:1:1: the file is empty; a manifest is a JSON object with at least \"services\"");
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("nowhere", "pbdeploy.json");

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(path));

        error.ShouldNotBeOfType<ManifestException>();
        error.Message.ShouldBe($"manifest {path} does not exist; create it or pass another --manifest PATH");
    }

    [Fact]
    public void A_folder_given_as_the_manifest_is_reported()
    {
        using var dir = new TempDirectory();

        var error = Should.Throw<PbDeployException>(() => ManifestLoader.Load(dir.Path));

        error.Message.ShouldBe($"manifest {dir.Path} is a folder; pass the path of the pbdeploy.json file");
    }
}
