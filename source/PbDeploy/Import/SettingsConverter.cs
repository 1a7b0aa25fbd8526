using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PbDeploy.Manifest;

namespace PbDeploy.Import;

/// <summary>
/// Converts the <c>SERVICES</c> of a pbdeploy 1.2 settings file (as JSON, from the Python helper) to a manifest, and
/// notes every place where the manifest means something else than the settings file did.
/// </summary>
internal static partial class SettingsConverter
{
    private static readonly string[] CommandKeys = ["start", "restart", "stop", "before", "after"];

    /// <summary>Settings PbDeploy added: in pbdeploy 1.2 these keys were template variables.</summary>
    private static readonly string[] NewSettings = ["env", "log", "depends_on", "start_timeout", "stop_timeout", "command_timeout", "shell"];

    /// <summary>pbdeploy 1.2's internal names of the commands, which its templates could reference.</summary>
    private static readonly Dictionary<string, string> OldCommandNames = new(StringComparer.Ordinal)
    {
        ["start_cmd"] = "start", ["restart_cmd"] = "restart", ["stop_cmd"] = "stop", ["before_cmd"] = "before", ["after_cmd"] = "after",
    };

    public sealed record Conversion(JsonObject Manifest, IReadOnlyList<string> Notes);

    public static Conversion Convert(string settingsPath, string manifestFolder, JsonObject document)
    {
        var settingsFolder = Path.GetDirectoryName(settingsPath)!;
        var notes = new NoteList();
        var services = new JsonObject();
        var usesProjectDir = false;
        var bashOnly = new List<string>();
        var anyTemplates = false;

        notes.Add(null, "values the settings file computes (os.getenv(...), paths, arithmetic) are fixed at their values of now, on this machine; "
            + "pbdeploy 1.2 computed them on every run: import again when they change, or use {env.NAME} in commands for what must be read at deploy time");

        var settingsText = ReadSettings(settingsPath);
        foreach (var (name, node) in (JsonObject)document["services"]!)
        {
            var service = ConvertService(name, (JsonObject)node!, settingsFolder, notes);
            MapFormats(name, service, settingsPath, settingsText, notes);
            services[name] = service;
            anyTemplates |= service["templates"] is not null;
            foreach (var (key, text, file) in Texts(service, settingsFolder))
            {
                if (file is not null)
                {
                    RefuseUnmappedFormats(text, $"template {file} of service '{name}'", Path.Combine(settingsFolder, file), text, isTemplateFile: true);
                }

                usesProjectDir |= ScanText(name, service, key, text, file, notes);
                if (file is null && CommandKeys.Contains(key) && BashSyntax.Find(text).FirstOrDefault() is { Construct: { } construct })
                {
                    bashOnly.Add($"{name}.{key} ({construct})");
                }
            }
        }

        var shell = document["shell"];
        string? manifestShell = null;
        if (shell is not null)
        {
            if (Text(shell) is { } shellPath && (ServiceReader.ShellNames.Contains(shellPath) || (shellPath.StartsWith('/') && shellPath.Length > 1)))
            {
                manifestShell = shellPath;
                notes.Add(null, $"SHELL = {Show(shell)}: written as \"shell\": {ManifestText.Quote(shellPath)}, so that every command runs as {shellPath} -c COMMAND, as in pbdeploy 1.2");
            }
            else
            {
                notes.Add(null, $"SHELL = {Show(shell)}: not converted; PbDeploy's \"shell\" is \"sh\", \"bash\" or an absolute path: "
                    + "set it in pbdeploy.json (commands run with /bin/sh -c until then)");
            }
        }
        else if (bashOnly.Count > 0)
        {
            manifestShell = "bash";
            notes.Add(null, $"pbdeploy 1.2 ran commands with /bin/bash (its default SHELL), and these look bash-only: "
                + $"{string.Join(", ", bashOnly)}; written as \"shell\": \"bash\" (PbDeploy's default is /bin/sh -c)");
        }

        if (services.Count > 1)
        {
            notes.Add(null, "pbdeploy 1.2 deployed services one after another; PbDeploy deploys services at the same time unless \"depends_on\" orders them "
                + "(stop goes in reverse): add \"depends_on\": [\"OTHER\"] where a service needs another one running first");
        }

        var sameFolder = string.Equals(Path.GetFullPath(manifestFolder), Path.GetFullPath(settingsFolder), StringComparison.Ordinal);
        if (!sameFolder)
        {
            notes.Add(null, $"{{project_dir}} and relative paths (cwd, pidfile, templates) now mean the folder of pbdeploy.json, {manifestFolder}, "
                + $"not the folder pbdeploy 1.2 was run from, {settingsFolder}: write pbdeploy.json beside {Path.GetFileName(settingsPath)} to keep them");
        }
        else if (usesProjectDir)
        {
            notes.Add(null, "{project_dir} is the folder of pbdeploy.json; in pbdeploy 1.2 it was the folder pbdeploy was run from, "
                + "where settings_deploy.py is: the same folder while pbdeploy.json stays beside it");
        }

        if (anyTemplates)
        {
            notes.Add(null, "templates render as in pbdeploy 1.2 ({{ and }} are still one literal brace each); "
                + "a brace that is not part of a {name} is now literal too, so new templates need no doubled braces");
        }

        var manifest = manifestShell is null ? new JsonObject() : new JsonObject { ["shell"] = manifestShell };
        manifest["services"] = services;
        return new Conversion(manifest, notes.ToList());
    }

    private static JsonObject ConvertService(string name, JsonObject conf, string settingsFolder, NoteList notes)
    {
        var service = new JsonObject();
        JsonObject? context = null;
        var variables = new List<string>();
        foreach (var (key, original) in conf)
        {
            if (key == "context" && original is JsonObject contextObject)
            {
                context = contextObject;
                continue;
            }

            // JSON's null (Python's None) is no node at all.
            if (original is null)
            {
                if (!ServiceReader.Settings.Contains(key) && key != "context")
                {
                    notes.Add(name, $"'{key}' is None: left out (pbdeploy 1.2 rendered {{{key}}} as 'None'; to PbDeploy it is now an unknown variable)");
                }

                continue;
            }

            var value = original;
            if (CommandKeys.Contains(key))
            {
                if (key != "start" && IsFalsy(value))
                {
                    continue; // pbdeploy 1.2 ignored a false value: the same as leaving the key out.
                }

                if (value is JsonArray list && ShellJoin(list) is { } joined)
                {
                    notes.Add(name, $"'{key}' is a list (the argument form of pbdeploy's older versions); it is now one shell command: {joined}");
                    value = joined;
                }

                if (Text(value) is { } command && KillWithSigPrefix().IsMatch(command))
                {
                    var fixedCommand = KillWithSigPrefix().Replace(command, "kill ${option}${signal}");
                    notes.Add(name, $"'{key}': \"{command}\" became \"{fixedCommand}\": /bin/sh's kill (dash on Debian) does not know the SIG prefix, "
                        + "which pbdeploy 1.2's /bin/bash accepted");
                    value = fixedCommand;
                }
            }
            else if (key == "daemonizes" && value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                var truth = !IsFalsy(value);
                notes.Add(name, $"'daemonizes' is {Show(value)}, which Python takes as {(truth ? "True" : "False")}: written as {(truth ? "true" : "false")}");
                value = truth;
            }
            else if (NewSettings.Contains(key))
            {
                notes.Add(name, $"'{key}' was a template variable in pbdeploy 1.2 but is a setting of PbDeploy (see docs/manifest.md): check that it means what you want");
            }
            else if (!ServiceReader.Settings.Contains(key) && key != "context")
            {
                variables.Add(key);
            }

            // "templates" is kept as it is: its paths render with the service's variables, as in pbdeploy 1.2.

            service[key] = Detached(value);
        }

        if (context is not null)
        {
            foreach (var (key, value) in context)
            {
                if (ServiceReader.Settings.Contains(key) || ServiceReader.BuiltInVariables.Contains(key))
                {
                    notes.Add(name, $"context[{PythonSettingsImporter.PythonRepr(key)}] is not converted: '{key}' is a setting or built-in variable of PbDeploy; rename it");
                    continue;
                }

                if (value is null)
                {
                    continue;
                }

                service[key] = Detached(value);
                if (!variables.Contains(key))
                {
                    variables.Add(key);
                }
            }

            notes.Add(name, "the entries of 'context' are now keys of the service: template variables, as the context made them in pbdeploy 1.2");
        }

        if (variables.Count > 0)
        {
            notes.Add(name, $"{Plural(variables.Count, "key", "keys")} {string.Join(", ", variables.Select(v => "'" + v + "'"))} "
                + $"{(variables.Count == 1 ? "is not a setting: kept as a template variable" : "are not settings: kept as template variables")} "
                + $"({string.Join(", ", variables.Select(v => "{" + v + "}"))}), as in pbdeploy 1.2");
        }

        var port = service["port"];
        if (port is not null && service["pidfile"] is not null)
        {
            if (IsFalsy(port))
            {
                service.Remove("port");
                notes.Add(name, $"'port' is {Show(port)}, so pbdeploy 1.2 used the pidfile: 'port' is left out");
            }
            else
            {
                service.Remove("pidfile");
                notes.Add(name, "has both 'port' and 'pidfile'; pbdeploy 1.2 used the port and ignored the pidfile, PbDeploy allows only one: 'pidfile' is left out");
            }
        }

        if (service["cwd"] is null)
        {
            notes.Add(name, "no 'cwd' (or None): pbdeploy 1.2 ran the commands in the folder it was started from; PbDeploy runs them in the project dir, the folder of pbdeploy.json");
        }

        if (service["stop"] is null)
        {
            notes.Add(name, "no 'stop': pbdeploy 1.2 ran `kill {pid}` and did not wait; PbDeploy sends SIGTERM to the pid, waits until the port is free and the process gone, "
                + "and SIGKILLs its process group after stop_timeout (10 s)");
        }

        if (service["restart"] is null)
        {
            // One line per service, not merged with the others': each is a service whose old build keeps serving.
            notes.Add(null, $"warning: {name} has no 'restart', so a redeploy leaves it running (as pbdeploy 1.2 did) and its old build keeps serving; "
                + "add \"restart\": true to have PbDeploy stop and start it on each deploy");
        }

        if (service["daemonizes"]?.GetValueKind() == JsonValueKind.False)
        {
            notes.Add(name, $"daemonizes: False: PbDeploy starts the process detached (its own session, stdin from /dev/null) and appends its output to "
                + $".pbdeploy/logs/{name}.log instead of pbdeploy's terminal (\"log\" chooses the file), and waits until the port listens");
        }

        return service;
    }

    /// <summary>The service's rendered texts: commands, cwd, pidfile, and the content of its template files (with their path).</summary>
    private static IEnumerable<(string Key, string Text, string? File)> Texts(JsonObject service, string settingsFolder)
    {
        foreach (var key in (string[])[.. CommandKeys, "cwd", "pidfile"])
        {
            if (Text(service[key]) is { } text)
            {
                yield return (key, text, null);
            }
            else if (service[key] is JsonArray array)
            {
                foreach (var item in array.Select(Text).OfType<string>())
                {
                    yield return (key, item, null);
                }
            }
        }

        var templates = service["templates"] switch
        {
            JsonArray array => array.Select(Text).OfType<string>(),
            var one when Text(one) is { } single => [single],
            _ => [],
        };
        foreach (var written in templates)
        {
            var template = ExpandPath(written, service, settingsFolder);
            var file = Path.Combine(settingsFolder, template);
            string content;
            try
            {
                content = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                continue; // Not there (yet): nothing to check.
            }

            yield return ("templates", content, template);
        }
    }

    /// <summary>Notes what renders differently in <paramref name="text"/>; true when it uses <c>{project_dir}</c>.</summary>
    private static bool ScanText(string name, JsonObject service, string key, string text, string? file, NoteList notes)
    {
        var where = file is null ? $"'{key}'" : $"template {file}";
        var usesProjectDir = false;
        foreach (var field in PythonFields(text).Distinct())
        {
            if (!PlainField().IsMatch(field))
            {
                notes.Add(name, $"{where} uses {{{field}}}, Python format syntax that PbDeploy does not have: it is now literal text; "
                    + "write a plain {name} (and {a.b} for {a[b]})");
                continue;
            }

            var variable = field.Split('.')[0];
            switch (variable)
            {
                case "project_dir":
                    usesProjectDir = true;
                    break;
                case "pid" when file is not null:
                    notes.Add(name, $"{where} uses {{pid}}: pbdeploy 1.2 rendered templates with pid None; PbDeploy renders the running master's pid, "
                        + "and stops with an error when the service is not running (its first start)");
                    break;
                case "pid" when key == "start":
                    notes.Add(name, "'start' uses {pid}: pbdeploy 1.2 rendered it as 'None' (nothing runs at a start); PbDeploy stops with an error: remove {pid} from 'start'");
                    break;
                case "pid" when key == "before":
                    notes.Add(name, "'before' uses {pid}: pbdeploy 1.2 rendered the running pid before a restart and 'None' before a start; "
                        + "PbDeploy gives the running pid before a restart and stops with an error before a start");
                    break;
                case "pid" when key == "after":
                    notes.Add(name, "'after' uses {pid}: pbdeploy 1.2 always rendered it as 'None' there; PbDeploy renders the pid of the service just started or restarted");
                    break;
                case var old when OldCommandNames.TryGetValue(old, out var now):
                    notes.Add(name, $"{where} uses {{{old}}}, pbdeploy 1.2's internal name of '{now}': PbDeploy has no such variable; write {{{now}}}");
                    break;
                default:
                    if (service[variable]?.GetValueKind() is (JsonValueKind.True or JsonValueKind.False) and var flag)
                    {
                        notes.Add(name, $"{where} uses {{{variable}}}: it renders as '{(flag == JsonValueKind.True ? "true" : "false")}', not Python's '{(flag == JsonValueKind.True ? "True" : "False")}'");
                    }
                    else if (service[variable] is JsonArray && field == variable)
                    {
                        notes.Add(name, $"{where} uses {{{variable}}}, a list: it renders as its items separated by spaces, not Python's [...] text");
                    }

                    break;
            }
        }

        return usesProjectDir;
    }

    /// <summary>The replacement fields of a Python format string: what is between single braces.</summary>
    internal static IEnumerable<string> PythonFields(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '}')
            {
                if (i + 1 < text.Length && text[i + 1] == '}')
                {
                    i++;
                }

                continue;
            }

            if (text[i] != '{')
            {
                continue;
            }

            if (i + 1 < text.Length && text[i + 1] == '{')
            {
                i++;
                continue;
            }

            // A field ends at its matching brace (a format spec may nest one level: {x:{width}}).
            var depth = 1;
            var end = i + 1;
            for (; end < text.Length && depth > 0; end++)
            {
                depth += text[end] switch { '{' => 1, '}' => -1, _ => 0 };
            }

            if (depth > 0)
            {
                yield break; // pbdeploy 1.2 failed on this text ("unmatched '{'"): nothing it rendered.
            }

            yield return text[(i + 1)..(end - 1)];
            i = end - 1;
        }
    }

    /// <summary>
    /// A template path with <c>{project_dir}</c> and the service's plain keys put in, to read the template as the deploy
    /// will; a field it cannot fill is left as it is (the file is then not found, and not checked).
    /// </summary>
    private static string ExpandPath(string path, JsonObject service, string settingsFolder)
    {
        foreach (var field in PythonFields(path).Where(f => PlainField().IsMatch(f)).Distinct())
        {
            var value = field == "project_dir" ? settingsFolder : Text(service[field]) ?? (service[field]?.GetValueKind() == JsonValueKind.Number ? FormatNumber(service[field]!) : null);
            if (value is not null)
            {
                path = path.Replace("{" + field + "}", value, StringComparison.Ordinal);
            }
        }

        return path;
    }

    /// <summary>The settings file's text, to name the line of a value; null when it cannot be read (the helper could).</summary>
    private static string? ReadSettings(string settingsPath)
    {
        try
        {
            return File.ReadAllText(settingsPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Maps the Python format specs PbDeploy renders the same (<c>{port:d}</c>, <c>{name:s}</c>, <c>{name!s}</c>) to a
    /// plain reference in every rendered string of the service, and refuses, naming the line of the settings file, those
    /// it cannot (<c>{port:>5}</c>, <c>{x:.2f}</c>, <c>{x!r}</c>).
    /// </summary>
    private static void MapFormats(string name, JsonObject service, string settingsPath, string? settingsText, NoteList notes)
    {
        // What PbDeploy renders, as pbdeploy 1.2 formatted it; the values of other keys are inserted as they are.
        foreach (var key in service.Select(p => p.Key).Where(k => CommandKeys.Contains(k) || k is "cwd" or "pidfile" or "templates").ToList())
        {
            service[key] = MapNode(service[key], key);
        }

        JsonNode? MapNode(JsonNode? node, string key)
        {
            switch (node)
            {
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        var mapped = MapNode(array[i], key);
                        if (!ReferenceEquals(mapped, array[i]))
                        {
                            array[i] = mapped;
                        }
                    }

                    return array;
                case JsonObject obj:
                    foreach (var inner in obj.Select(p => p.Key).ToList())
                    {
                        var mapped = MapNode(obj[inner], key);
                        if (!ReferenceEquals(mapped, obj[inner]))
                        {
                            obj[inner] = mapped;
                        }
                    }

                    return obj;
                default:
                    if (Text(node) is not { } text)
                    {
                        return node;
                    }

                    RefuseUnmappedFormats(text, $"'{key}' of service '{name}'", settingsPath, settingsText, isTemplateFile: false);
                    var result = MapFields(text);
                    if (result == text)
                    {
                        return node;
                    }

                    notes.Add(name, $"'{key}': \"{text}\" became \"{result}\": Python's :d and :s (and !s) insert the value as it is, as a plain {{name}} does");
                    return result;
            }
        }
    }

    /// <summary><paramref name="text"/> with each <c>{name:d}</c>, <c>{name:s}</c>, <c>{name!s}</c> written <c>{name}</c>.</summary>
    private static string MapFields(string text) =>
        FormattedField().Replace(text, m => m.Groups["conv"].Value is "" or "!s" && m.Groups["spec"].Value is "" or ":" or ":d" or ":s" && IsField(text, m.Index)
            ? "{" + m.Groups["name"].Value + "}"
            : m.Value);

    /// <summary>Whether the brace at <paramref name="index"/> opens a field: not the second brace of an escaped <c>{{</c>.</summary>
    private static bool IsField(string text, int index)
    {
        var run = 0;
        for (var i = index - 1; i >= 0 && text[i] == '{'; i--)
        {
            run++;
        }

        return run % 2 == 0 && !(index + 1 < text.Length && text[index + 1] == '{');
    }

    /// <summary>
    /// Refuses a field with a format spec or conversion PbDeploy cannot render the same, naming the line of
    /// <paramref name="file"/> (the settings file, or the template file) where it is written.
    /// </summary>
    private static void RefuseUnmappedFormats(string text, string where, string file, string? fileText, bool isTemplateFile)
    {
        foreach (var field in PythonFields(text))
        {
            var match = FormattedField().Match("{" + field + "}");
            if (!match.Success || match.Length != field.Length + 2)
            {
                continue; // not a name with a format: noted as literal text by ScanText
            }

            var conversion = match.Groups["conv"].Value;
            var spec = match.Groups["spec"].Value;
            var mappable = conversion is "" or "!s" && spec is "" or ":" or ":d" or ":s";
            // In a template file, :d and :s render as they are; !s would be literal text.
            if (mappable && (!isTemplateFile || conversion == ""))
            {
                continue;
            }

            var literal = "{" + field + "}";
            var line = fileText?.Split('\n').Select((l, i) => (l, i)).FirstOrDefault(x => x.l.Contains(literal, StringComparison.Ordinal)) is { l: not null } found
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $":{found.i + 1}")
                : "";
            var badSpec = spec is not ("" or ":" or ":d" or ":s");
            var what = conversion != "" && (!badSpec || conversion != "!s") ? $"conversion '{conversion}'" : $"format '{spec}'";
            throw new InputException(
                $"{file}{line}: {literal} in {where}: PbDeploy does not have Python's {what} (it renders :d and :s as the plain value, and :q quoted for the shell); "
                + $"write {{{match.Groups["name"].Value}}}, or compute the formatted value in {(isTemplateFile ? "the settings file and use it here" : "the settings file")}; nothing was written");
        }
    }

    /// <summary>A list of strings (and numbers) as one shell command, each item quoted as Python's shlex.quote does.</summary>
    internal static string? ShellJoin(JsonArray list)
    {
        var words = new List<string>(list.Count);
        foreach (var item in list)
        {
            words.Add(item?.GetValueKind() switch
            {
                JsonValueKind.String => ShellQuote(item.GetValue<string>()),
                JsonValueKind.Number => FormatNumber(item),
                _ => null!,
            });
            if (words[^1] is null)
            {
                return null;
            }
        }

        return words.Count == 0 ? null : string.Join(' ', words);
    }

    internal static string ShellQuote(string word) =>
        word.Length == 0 ? "''"
        : SafeWord().IsMatch(word) ? word
        : "'" + word.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";

    private static bool IsFalsy(JsonNode? value) => value switch
    {
        null => true,
        JsonArray array => array.Count == 0,
        JsonObject obj => obj.Count == 0,
        _ => value.GetValueKind() switch
        {
            JsonValueKind.False => true,
            JsonValueKind.String => value.GetValue<string>().Length == 0,
            // An integer too large for a long is not 0 either.
            JsonValueKind.Number => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) == 0,
            _ => false,
        },
    };

    /// <summary>A value as Python shows it, for notes.</summary>
    private static string Show(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "None",
        JsonValueKind.String => PythonSettingsImporter.PythonRepr(value.GetValue<string>()),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Number => FormatNumber(value),
        _ => ManifestText.Compact(value),
    };

    /// <summary>The text of a JSON string, or null for any other value.</summary>
    private static string? Text(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    /// <summary><paramref name="node"/> ready to be put in the manifest: a node of the helper's document is copied (a node has one parent).</summary>
    private static JsonNode? Detached(JsonNode? node) => node?.Parent is null ? node : node.DeepClone();

    /// <summary>A number as the manifest's env and messages show it: <c>8080</c>, <c>1.5</c>, <c>2</c> for 2.0.</summary>
    private static string FormatNumber(JsonNode node)
    {
        var raw = node.ToJsonString();
        return raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0
            ? ManifestText.Number(node)
            : double.Parse(raw, System.Globalization.CultureInfo.InvariantCulture).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Plural(int count, string one, string many) => count == 1 ? one : many;

    /// <summary><c>kill -s SIGHUP</c> or <c>kill -SIGHUP</c>: bash takes the SIG prefix, dash does not.</summary>
    [GeneratedRegex(@"\bkill\s+(?<option>-s\s+|-)SIG(?<signal>[A-Z][A-Z0-9+-]*)\b")]
    private static partial Regex KillWithSigPrefix();

    /// <summary>A field that is a name with a conversion (<c>!s</c>) or a format spec (<c>:d</c>, <c>:&gt;5</c>).</summary>
    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)(?<conv>![A-Za-z])?(?<spec>:[^{}]*)?\}")]
    private static partial Regex FormattedField();

    [GeneratedRegex(@"^[A-Za-z@%+=:,./_0-9-]+$")]
    private static partial Regex SafeWord();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$")]
    private static partial Regex PlainField();

    /// <summary>Notes in order; the same note for several services becomes one, naming them all.</summary>
    private sealed class NoteList
    {
        private readonly List<(string Message, List<string> Services)> _notes = [];

        public void Add(string? service, string message)
        {
            var index = _notes.FindIndex(n => n.Message == message);
            if (index < 0)
            {
                _notes.Add((message, []));
                index = _notes.Count - 1;
            }

            if (service is not null && !_notes[index].Services.Contains(service))
            {
                _notes[index].Services.Add(service);
            }
        }

        public List<string> ToList() =>
            [.. _notes.Select(n => n.Services.Count == 0 ? n.Message : $"{string.Join(", ", n.Services)}: {n.Message}")];
    }
}
