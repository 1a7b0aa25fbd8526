using System.Text;

namespace PbDeploy.Tests.Manifest;

/// <summary>
/// Generated manifests for <see cref="SchemaTests"/>: a two-service manifest with one setting of <c>web</c> (or one
/// top-level key) set to each value of a spread of valid and invalid JSON values. The values are JSON text, as written:
/// <c>8080.0</c> stays <c>8080.0</c>.
/// </summary>
internal static class EdgeCases
{
    /// <summary>Cases the loader refuses and the schema accepts: what only the loader can check.</summary>
    public static readonly string[] LoaderOnly =
    [
        // JSON Schema counts a number with a zero fraction as an integer; the loader wants an integer written as one.
        "web.port = 8080.0", "web.port = 1e3", "web.port = 1E3",
        // Unique across services.
        "web.port = 18081", "web.ports = [18090, 18081] (no port)",
        // As for port: an integer written as one.
        "web.ports = [18090.0, 18091] (no port)", "web.pidfile = \"run/other.pid\" (no port)",
        // depends_on names an existing service other than itself, without cycles.
        "web.depends_on = \"missing\"", "web.depends_on = \"web\"", "web.depends_on = [\"missing\"]", "web.depends_on = [\"other\", \"web\"]",
        "cycle: other.depends_on = web",
        // A template is not its own target; targets are unique.
        "web.templates = [{\"source\": \"a.template\", \"target\": \"a.template\"}]",
        "web.templates = [\"a.template\", {\"source\": \"b.tpl\", \"target\": \"a\"}]",
        "web.templates = [\"a.template\", \"./a.template\"]",
        // A timeout too small for a double: it underflows to 0.
        "web.start_timeout = 1e-400", "web.stop_timeout = 1e-400", "web.command_timeout = 1e-400",
    ];

    private static readonly string[] Texts =
    [
        "\"x\"", "\"run/a b\"", "\"\"", "\" \"", "\"\\t\\n\"", "\"\\u00a0\"", "\"\\ufeff\"", "\"\\u0085\"", "\"\\u200b\"",
        "\"\\u3000x\"", "null", "1", "true", "false", "[]", "[\"x\"]", "{}",
    ];

    private static readonly string[] Commands =
    [
        "\"echo a\"", "[\"echo a\", \"echo b\"]", "[]", "[\"echo a\", \"\"]", "[\" \"]", "[null]", "[1]", "[[\"a\"]]", "null", "{}",
        "\"\"", "5", "true", "[\"echo {port}\"]",
    ];

    private static readonly string[] Seconds =
    [
        "0.001", "1", "2.5", "30", "86400", "86400.0", "8.64e4", "86400.0000000001", "86401", "0", "0.0", "-0", "-1", "1e3", "1E-3",
        "1e-30", "1e-400", "1e400", "\"30\"", "null", "true", "[]", "{}",
    ];

    public static IEnumerable<(string Label, string Text)> All()
    {
        foreach (var value in (string[])["8080", "1", "65535", "0", "65536", "-1", "8080.0", "1e3", "1E3", "80.5", "\"8080\"", "null", "true", "[]", "99999999999999999999999", "18081"])
        {
            yield return Web("port", value);
        }

        // port and pidfile: one, not both; null is absent.
        yield return Case("web.pidfile = \"run/web.pid\" (no port)", Manifest(web: Settings(("start", "\"x\""), ("pidfile", "\"run/web.pid\""))));
        yield return Case("web.pidfile = \"run/other.pid\" (no port)", Manifest(
            web: Settings(("start", "\"x\""), ("pidfile", "\"run/other.pid\"")),
            other: Settings(("start", "\"y\""), ("pidfile", "\"run/other.pid\""))));
        yield return Case("web: pidfile and port null", Manifest(web: Settings(("start", "\"x\""), ("pidfile", "\"run/web.pid\""), ("port", "null"))));
        yield return Case("web: port and pidfile null", Manifest(web: Settings(("start", "\"x\""), ("port", "8080"), ("pidfile", "null"))));
        yield return Case("web: port and pidfile", Manifest(web: Settings(("start", "\"x\""), ("port", "8080"), ("pidfile", "\"run/web.pid\""))));
        yield return Case("web: neither port nor pidfile", Manifest(web: Settings(("start", "\"x\""))));
        yield return Case("web: port null and pidfile null", Manifest(web: Settings(("start", "\"x\""), ("port", "null"), ("pidfile", "null"))));
        yield return Case("web: no start", Manifest(web: Settings(("port", "8080"))));
        foreach (var value in Texts)
        {
            yield return Web("pidfile", value, withPort: false);
        }

        foreach (var key in (string[])["start", "stop", "cwd", "log"])
        {
            foreach (var value in Texts)
            {
                yield return Web(key, value);
            }
        }

        yield return Web("start", "\"run {nope}\"");
        yield return Web("cwd", "\"{nope}\"");
        yield return Web("start", "\"run {port} {name} {project_dir} {server_name}\"", ("server_name", "\"example.org\""));

        foreach (var value in (string[])["true", "false", "null", "\"kill -s HUP {pid}\"", "\"\"", "\" \"", "\"true\"", "0", "1", "[]", "[\"kill {pid}\"]", "{}"])
        {
            yield return Web("restart", value);
        }

        foreach (var key in (string[])["before", "after"])
        {
            foreach (var value in Commands)
            {
                yield return Web(key, value);
            }
        }

        foreach (var value in (string[])["true", "false", "null", "\"false\"", "\"true\"", "0", "1", "[]"])
        {
            yield return Web("daemonizes", value);
        }

        foreach (var value in (string[])
        [
            "\"a.template\"", "\".template\"", "\"/.template\"", "\"a/.template\"", "\"a\\\\.template\"", "\"a\\n.template\"",
            "\"x.conf\"", "\"a.template \"", "\"{conf}/site.conf.template\"", "\"\"",
            "[\"a.template\", {\"source\": \"b.tpl\", \"target\": \"b\"}]", "[{\"source\": \"c.template\"}]", "[{\"source\": \"c.tpl\"}]",
            "[{\"source\": \".template\"}]", "[{\"source\": \"/.template\"}]", "[{\"source\": \"c.tpl\", \"target\": null}]",
            "[{\"source\": \"a.template\", \"target\": \"a.template\"}]", "[\"a.template\", {\"source\": \"b.tpl\", \"target\": \"a\"}]",
            "[\"a.template\", \"./a.template\"]", "{\"source\": \"a.template\"}", "[{\"source\": \"a.template\", \"extra\": 1}]",
            "[{\"source\": \"a.template\", \"Target\": \"a\"}]", "[null]", "null", "[]", "5", "true", "[5]", "[[\"a.template\"]]",
            "[{\"source\": null}]", "[{\"target\": \"a\"}]", "[{\"source\": \"\", \"target\": \"a\"}]", "[{\"source\": \"a\", \"target\": \" \"}]",
            "[{}]", "[\"a.template\", \"b.template\"]",
        ])
        {
            yield return Web("templates", value, ("conf", "\"etc\""));
        }

        foreach (var value in (string[])
        [
            "{}", "{\"A\": \"x\", \"B\": 4, \"C\": 0.25, \"D\": false, \"E\": true, \"F\": -1e3, \"G\": \"\"}", "{\"_a1\": \"x\"}",
            "{\"A\": null}", "{\"1A\": \"x\"}", "{\"A-B\": \"x\"}", "{\"\": \"x\"}", "{\"A\": []}", "{\"A\": {}}", "null", "[]", "\"x\"", "5",
            "{\"PORT\": \"1\"}",
        ])
        {
            yield return Web("env", value);
            yield return Top("env", value);
        }

        foreach (var value in (string[])
        [
            "\"other\"", "[\"other\"]", "[\"other\", \"other\"]", "\"web\"", "\"missing\"", "[\"missing\"]", "[\"other\", \"web\"]", "[]",
            "null", "5", "[1]", "[null]", "\"\"", "[\"\"]", "\"bad name\"", "{}", "true",
        ])
        {
            yield return Web("depends_on", value);
        }

        yield return Case("cycle: other.depends_on = web", Manifest(
            web: Settings(("port", "18080"), ("start", "\"x\""), ("depends_on", "\"other\"")),
            other: Settings(("port", "18081"), ("start", "\"y\""), ("depends_on", "[\"web\"]"))));

        foreach (var key in (string[])["start_timeout", "stop_timeout", "command_timeout"])
        {
            foreach (var value in Seconds)
            {
                yield return Web(key, value);
            }
        }

        string[] shells = ["\"sh\"", "\"bash\"", "\"/bin/zsh\"", "\"/\"", "\"/ \"", "\"/\\n\"", "\"zsh\"", "\"bin/bash\"", "\"\"", "\" \"", "\"SH\"", "null", "1", "true", "[\"sh\"]"];
        foreach (var value in shells)
        {
            yield return Web("shell", value);
            yield return Top("shell", value);
        }

        // Other keys of a service are template variables of any JSON value; near misses load with a warning.
        foreach (var (key, value) in (ValueTuple<string, string>[])
        [
            ("server_name", "\"example.org\""), ("workers", "4"), ("ratio", "0.5"), ("nested", "{\"a\": {\"b\": [1, null]}}"),
            ("nothing", "null"), ("list", "[]"), ("flag", "false"), ("Port", "1"), ("daemonize", "true"), ("start_timout", "\"x\""),
            ("start-timeout", "1"), ("name", "\"x\""), ("pid", "1"), ("pids", "1"), ("services", "{}"), ("project_dir", "\"/\""),
            ("$schema", "\"x\""), ("1st", "1"), ("a.b", "1"), ("", "1"), ("with space", "1"), ("_private", "1"), ("NAME", "1"),
        ])
        {
            yield return Web(key, value);
        }

        foreach (var value in (string[])
        [
            "{}", "{\"domain\": \"example.org\", \"n\": 1, \"o\": {\"a\": [true]}, \"z\": null}", "null", "[]", "\"x\"", "5",
            "{\"name\": 1}", "{\"1x\": 1}", "{\"a-b\": 1}", "{\"_\": 1}",
        ])
        {
            yield return Top("variables", value);
        }

        foreach (var value in (string[])["\"./pbdeploy.schema.json\"", "\"https://example.org/s.json\"", "null", "1", "{}", "[]", "\"\""])
        {
            yield return Top("$schema", value);
        }

        yield return Top("servics", "{}");
        yield return Top("port", "8080");
        yield return Top("Variables", "{}");
        yield return Case("services = {}", "{\"services\": {}}");
        yield return Case("services = []", "{\"services\": []}");
        yield return Case("services = null", "{\"services\": null}");
        yield return Case("no services", "{\"variables\": {}}");
        yield return Case("manifest = []", "[]");
        foreach (var name in (string[])["web", "celery-worker", "_x", "db_2", "-web", "1web", "a.b", "", "a b", "Web", "x-"])
        {
            yield return Case($"service name {name}", $"{{\"services\": {{\"{name}\": {{\"port\": 8080, \"start\": \"x\"}}}}}}");
        }

        // ports: two different ports, instead of port and pidfile, and no restart.
        foreach (var value in (string[])["[18090, 18091]", "[18090]", "[18090, 18091, 18092]", "[18090, 18090]", "[0, 18091]", "[18090, 65536]",
            "[\"18090\", 18091]", "[18090, null]", "18090", "[]", "null", "[18090.0, 18091]", "[18090, 18081]"])
        {
            yield return Case($"web.ports = {value} (no port)", Manifest(web: Settings(("start", "\"x\""), ("ports", value))));
        }

        yield return Case("web: port and ports", Manifest(web: Settings(("start", "\"x\""), ("port", "18080"), ("ports", "[18090, 18091]"))));
        yield return Case("web: ports and pidfile", Manifest(web: Settings(("start", "\"x\""), ("pidfile", "\"run/web.pid\""), ("ports", "[18090, 18091]"))));
        yield return Case("web: ports and port null", Manifest(web: Settings(("start", "\"x\""), ("port", "null"), ("ports", "[18090, 18091]"))));
        foreach (var restart in (string[])["\"kill {pid}\"", "true", "false", "null"])
        {
            yield return Case($"web: ports and restart {restart}", Manifest(web: Settings(("start", "\"x\""), ("ports", "[18090, 18091]"), ("restart", restart))));
        }

        foreach (var value in (string[])["null", "\"x\"", "[]", "1", "{}"])
        {
            yield return Case($"services.web = {value}", $"{{\"services\": {{\"web\": {value}}}}}");
        }
    }

    private static (string, string) Web(string key, string value, params (string Key, string Value)[] extra) => Web(key, value, withPort: true, extra);

    private static (string, string) Web(string key, string value, bool withPort, params (string Key, string Value)[] extra)
    {
        var settings = new List<(string, string)>();
        if (withPort && key != "port")
        {
            settings.Add(("port", "18080"));
        }

        if (!withPort && key != "pidfile")
        {
            settings.Add(("pidfile", "\"run/web.pid\""));
        }

        if (key != "start")
        {
            settings.Add(("start", "\"x\""));
        }

        settings.Add((key, value));
        settings.AddRange(extra.Select(e => (e.Key, e.Value)));
        var label = $"web.{key} = {value}" + (withPort ? "" : " (no port)");
        return (label, Manifest(web: Settings([.. settings])));
    }

    private static (string, string) Top(string key, string value) =>
        ($"{key} = {value}", $"{{\"{key}\": {value}, \"services\": {{\"web\": {{\"port\": 18080, \"start\": \"x\"}}}}}}");

    private static (string, string) Case(string label, string text) => (label, text);

    private static string Settings(params (string Key, string Value)[] settings)
    {
        var text = new StringBuilder("{");
        foreach (var (key, value) in settings)
        {
            text.Append(text.Length > 1 ? ", " : "").Append('"').Append(key).Append("\": ").Append(value);
        }

        return text.Append('}').ToString();
    }

    private static string Manifest(string web, string? other = null) =>
        $"{{\"services\": {{\"web\": {web}, \"other\": {other ?? "{\"port\": 18081, \"start\": \"y\"}"}}}}}";
}
