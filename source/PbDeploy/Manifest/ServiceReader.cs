using System.Globalization;

namespace PbDeploy.Manifest;

/// <summary>Reads and validates the settings of one service, token by token (no reflection).</summary>
internal sealed class ServiceReader(List<ManifestWarning> warnings, string shell = ServiceDefinition.DefaultShell)
{
    /// <summary>The longest <c>start_timeout</c>, <c>stop_timeout</c> or <c>command_timeout</c>: a day.</summary>
    public const double MaxTimeoutSeconds = 86400;

    /// <summary>The service settings; any other key of a service is a template variable.</summary>
    public static readonly IReadOnlyList<string> Settings =
    [
        "port", "ports", "pidfile", "start", "restart", "stop", "cwd", "log", "before", "after", "daemonizes", "templates",
        "env", "depends_on", "start_timeout", "stop_timeout", "command_timeout", "shell",
    ];

    /// <summary>The shells <c>shell</c> may name without a path.</summary>
    public static readonly IReadOnlyList<string> ShellNames = ["sh", "bash"];

    /// <summary>Variables every service has: a key of that name would be ambiguous.</summary>
    public static readonly IReadOnlyList<string> BuiltInVariables = ["project_dir", "name", "pid", "pids", "services"];

    private const string TemplateSuffix = ".template";

    public ServiceDefinition Read(ManifestProperty service)
    {
        var name = service.Name;
        var path = "services." + name;
        var values = service.Value;
        if (values.Kind != ManifestValueKind.Object)
        {
            throw Error(service.Value, path, $"must be an object of settings {{ \"port\": ..., \"start\": ... }}, got {ManifestJson.Describe(service.Value)}");
        }

        int? port = null;
        IReadOnlyList<int>? ports = null;
        TemplateString? pidfile = null, start = null, restart = null, stop = null, cwd = null, log = null;
        IReadOnlyList<TemplateString> before = [], after = [];
        IReadOnlyList<string> dependsOn = [];
        IReadOnlyList<TemplateSpec> templates = [];
        IReadOnlyDictionary<string, string> env = new Dictionary<string, string>();
        bool? daemonizes = null;
        TimeSpan? startTimeout = null, stopTimeout = null, commandTimeout = null;
        string? serviceShell = null;
        var restartsByStopAndStart = false;

        foreach (var property in values.Properties)
        {
            var key = path + "." + property.Name;
            var value = property.Value;
            if (value.IsNull && Settings.Contains(property.Name))
            {
                continue; // null is absent: the setting's default applies.
            }

            switch (property.Name)
            {
                case "port":
                    port = ReadPort(value, key);
                    break;
                case "ports":
                    ports = ReadPorts(value, key);
                    break;
                case "pidfile":
                    pidfile = ReadString(value, key);
                    break;
                case "start":
                    start = ReadString(value, key);
                    break;
                case "restart":
                    (restart, restartsByStopAndStart) = ReadRestart(value, key);
                    break;
                case "stop":
                    stop = ReadString(value, key);
                    break;
                case "cwd":
                    cwd = ReadString(value, key);
                    break;
                case "log":
                    log = ReadString(value, key);
                    break;
                case "before":
                    before = ReadStrings(value, key, "a command");
                    break;
                case "after":
                    after = ReadStrings(value, key, "a command");
                    break;
                case "daemonizes":
                    daemonizes = ReadBool(value, key);
                    break;
                case "templates":
                    templates = ReadTemplates(value, key);
                    break;
                case "env":
                    env = ReadEnv(value, key);
                    break;
                case "depends_on":
                    dependsOn = ReadDependsOn(value, key);
                    break;
                case "start_timeout":
                    startTimeout = ReadSeconds(value, key);
                    break;
                case "stop_timeout":
                    stopTimeout = ReadSeconds(value, key);
                    break;
                case "command_timeout":
                    commandTimeout = ReadSeconds(value, key);
                    break;
                case "shell":
                    serviceShell = ReadShell(value, key);
                    break;
                default:
                    CheckExtraKey(property, path);
                    break;
            }
        }

        if (start is null)
        {
            throw Error(service, path, "'start' is required: the command that starts the service");
        }

        if (ports is not null)
        {
            CheckBlueGreen(values, path, port, pidfile, restart is not null || restartsByStopAndStart);
            port = ports[0];
        }

        if (port is null && pidfile is null)
        {
            throw Error(service, path, "give 'port' (the TCP port the service listens on) or 'pidfile' (a file that holds its pid)");
        }

        if (port is not null && pidfile is not null)
        {
            throw Error(
                values["pidfile"]!,
                path + ".pidfile",
                "give either 'port' or 'pidfile', not both; PbDeploy finds the process by its port, or, for a service on a dynamic port, by its pidfile");
        }

        var definition = new ServiceDefinition
        {
            Name = name,
            Port = port,
            Ports = ports,
            Pidfile = pidfile,
            Start = start,
            Restart = restart,
            RestartsByStopAndStart = restartsByStopAndStart,
            Stop = stop,
            Cwd = cwd,
            Log = log,
            Before = before,
            After = after,
            Daemonizes = daemonizes ?? true,
            Templates = templates,
            Env = env,
            DependsOn = dependsOn,
            StartTimeout = startTimeout ?? TimeSpan.FromSeconds(30),
            StopTimeout = stopTimeout ?? TimeSpan.FromSeconds(10),
            CommandTimeout = commandTimeout ?? TimeSpan.FromMinutes(10),
            Shell = serviceShell ?? shell,
            Values = values,
            Location = service.Location,
        };
        BashSyntax.Check(definition, warnings);
        return definition;
    }

    /// <summary>
    /// A <c>shell</c> setting: <c>sh</c>, <c>bash</c> or an absolute path. Whether it exists is checked when a command
    /// runs, on that machine's <c>PATH</c>.
    /// </summary>
    public static string ReadShell(ManifestValue value, string key)
    {
        var text = ReadString(value, key).Text;
        if (!ShellNames.Contains(text) && !(text.StartsWith('/') && text.Length > 1))
        {
            throw Error(value, key, $"{ManifestJson.Quote(text)} is not a shell PbDeploy knows; give \"sh\" (/bin/sh, the default), \"bash\" (bash found on PATH) or an absolute path such as \"/usr/bin/zsh\"");
        }

        return text;
    }

    /// <summary>Checks the name of a template variable (a key of <c>variables</c> or an extra key of a service).</summary>
    public static void CheckVariableName(ManifestProperty property, string parentPath, string what)
    {
        var name = property.Name;
        if (BuiltInVariables.Contains(name))
        {
            throw Error(property, parentPath + "." + name, $"'{name}' is a built-in variable ({DescribeBuiltIn(name)}); choose another name for {what}");
        }

        if (!Names.IsVariableName(name))
        {
            throw Error(
                property,
                parentPath + "." + Names.Show(name),
                $"{Names.Quote(name)} is not a valid variable name: use letters, digits and '_', not starting with a digit");
        }
    }

    private void CheckExtraKey(ManifestProperty property, string servicePath)
    {
        var name = property.Name;
        var suggestion = NearMiss.Find(name, Settings);
        if (suggestion is not null && !Names.IsVariableName(name))
        {
            // Not usable as a variable either: surely a misspelt setting.
            throw Error(property, servicePath + "." + Names.Show(name), $"'{name}' is not a setting; did you mean '{suggestion}'?");
        }

        if (suggestion is not null)
        {
            // A near miss still works as a template variable, but probably was meant as the setting.
            warnings.Add(new ManifestWarning(
                property.Location,
                $"{servicePath}: '{name}' is not a setting; did you mean '{suggestion}'? (it is kept as a template variable)"));
        }

        CheckVariableName(property, servicePath, "a template variable of the service");
    }

    private static string DescribeBuiltIn(string name) => name switch
    {
        "project_dir" => "the manifest's folder",
        "name" => "the service's name",
        "pid" => "the running service's pid",
        "pids" => "the pids of the running service",
        _ => "the other services' settings, as services.OTHER.KEY",
    };

    private static int ReadPort(ManifestValue value, string key)
    {
        const string Expected = "must be an integer from 1 to 65535";
        if (value.TryGetInt64(out var l) && l is >= 1 and <= 65535)
        {
            return (int)l;
        }

        throw Error(value, key, $"{Expected}, got {ManifestJson.Describe(value)}");
    }

    /// <summary><c>ports</c>: exactly two different ports, <c>[A, B]</c>.</summary>
    private static int[] ReadPorts(ManifestValue value, string key)
    {
        if (value.Kind != ManifestValueKind.Array || value.Items.Count != 2)
        {
            var got = value.Kind == ManifestValueKind.Array
                ? string.Create(CultureInfo.InvariantCulture, $"an array of {value.Items.Count} items")
                : ManifestJson.Describe(value);
            throw Error(value, key, $"must be two ports [A, B] (a redeploy starts the new copy on the one that is free), got {got}");
        }

        var first = ReadPort(value.Items[0], key + "[0]");
        var second = ReadPort(value.Items[1], key + "[1]");
        if (first == second)
        {
            throw Error(value.Items[1], key + "[1]", string.Create(CultureInfo.InvariantCulture, $"names port {first} twice; give two different ports"));
        }

        return [first, second];
    }

    /// <summary>A blue-green service has its two ports, and neither <c>port</c>, <c>pidfile</c> nor <c>restart</c>.</summary>
    private static void CheckBlueGreen(ManifestValue values, string path, int? port, TemplateString? pidfile, bool restarts)
    {
        if (port is not null)
        {
            throw Error(values["port"]!, path + ".port", "give either 'port' or 'ports', not both; 'ports' [A, B] makes a blue-green service, 'port' a service replaced in place");
        }

        if (pidfile is not null)
        {
            throw Error(values["pidfile"]!, path + ".pidfile", "give either 'ports' or 'pidfile', not both; a blue-green service is found by its two ports");
        }

        if (restarts)
        {
            throw Error(values["restart"]!, path + ".restart", "a service with 'ports' is always replaced by a new copy on its other port; remove 'restart'");
        }
    }

    private static TemplateString ReadString(ManifestValue value, string key)
    {
        if (value.String is not { } text)
        {
            throw Error(value, key, $"must be a string, got {ManifestJson.Describe(value)}");
        }

        if (string.IsNullOrWhiteSpace(text.Text))
        {
            throw Error(value, key, "must not be empty; leave the key out (or set it to null) for the default");
        }

        return text;
    }

    /// <summary><c>restart</c>: a command, <c>true</c> (stop, then start) or <c>false</c> (the default: leave a running service alone).</summary>
    private static (TemplateString? Command, bool StopAndStart) ReadRestart(ManifestValue value, string key)
    {
        if (value.Kind == ManifestValueKind.Boolean)
        {
            return (null, value.Boolean);
        }

        if (value.String is null)
        {
            throw Error(value, key, $"must be a command (a string), or true to stop and start the service, got {ManifestJson.Describe(value)}");
        }

        return (ReadString(value, key), false);
    }

    private static bool ReadBool(ManifestValue value, string key) =>
        value.Kind == ManifestValueKind.Boolean
            ? value.Boolean
            : throw Error(value, key, $"must be true or false, got {ManifestJson.Describe(value)}");

    private static TimeSpan ReadSeconds(ManifestValue value, string key)
    {
        var expected = string.Create(CultureInfo.InvariantCulture, $"must be a number of seconds greater than 0 and at most {MaxTimeoutSeconds}");
        if (value.Kind != ManifestValueKind.Number)
        {
            throw Error(value, key, $"{expected}, got {ManifestJson.Describe(value)}");
        }

        // An integer too large for a long is a huge double: far too large either way.
        var seconds = value.ToDouble();
        if (!(seconds > 0 && seconds <= MaxTimeoutSeconds))
        {
            throw Error(value, key, $"{expected}, got {ManifestJson.Describe(value)}");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>A string, or an array of strings (in order), each non-empty.</summary>
    private static List<TemplateString> ReadStrings(ManifestValue value, string key, string element)
    {
        if (value.Kind == ManifestValueKind.String)
        {
            return [ReadString(value, key)];
        }

        if (value.Kind != ManifestValueKind.Array)
        {
            throw Error(value, key, $"must be {element} (a string) or an array of them, got {ManifestJson.Describe(value)}");
        }

        var array = value.Items;
        var list = new List<TemplateString>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var itemKey = string.Create(CultureInfo.InvariantCulture, $"{key}[{i}]");
            if (array[i].Kind != ManifestValueKind.String)
            {
                throw Error(array[i], itemKey, $"must be {element} (a string), got {ManifestJson.Describe(array[i])}");
            }

            list.Add(ReadString(array[i], itemKey));
        }

        return list;
    }

    private static List<string> ReadDependsOn(ManifestValue value, string key)
    {
        var names = ReadStrings(value, key, "a service name").ConvertAll(name => name.Text);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (!seen.Add(names[i]))
            {
                var token = value.Kind == ManifestValueKind.Array ? value.Items[i] : value;
                throw Error(token, key, $"names '{names[i]}' twice; list each service once");
            }
        }

        return names;
    }

    private static Dictionary<string, string> ReadEnv(ManifestValue value, string key) => ReadEnvironment(value, key);

    /// <summary>An <c>env</c> object: names as in a shell, values strings, or numbers and booleans as their JSON text.</summary>
    public static Dictionary<string, string> ReadEnvironment(ManifestValue value, string key)
    {
        if (value.Kind != ManifestValueKind.Object)
        {
            throw Error(value, key, $"must be an object of environment variables {{ \"NAME\": \"value\" }}, got {ManifestJson.Describe(value)}");
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.Properties)
        {
            var name = property.Name;
            var itemKey = key + "." + Names.Show(name);
            if (!Names.IsVariableName(name))
            {
                throw Error(property, itemKey, $"{Names.Quote(name)} is not a valid environment variable name: use letters, digits and '_', not starting with a digit");
            }

            var item = property.Value;
            env[name] = item.Kind switch
            {
                ManifestValueKind.String => item.String!.Text,
                ManifestValueKind.Number => ManifestJson.FormatNumber(item),
                ManifestValueKind.Boolean => item.Boolean ? "true" : "false",
                _ => throw Error(item, itemKey, $"must be a string (or a number or true/false), got {ManifestJson.Describe(item)}"),
            };
        }

        return env;
    }

    private static List<TemplateSpec> ReadTemplates(ManifestValue value, string key)
    {
        if (value.Kind == ManifestValueKind.String)
        {
            return [ReadTemplate(value, key)];
        }

        if (value.Kind != ManifestValueKind.Array)
        {
            throw Error(value, key, $"must be an array of template files, e.g. [\"nginx.conf.template\"], got {ManifestJson.Describe(value)}");
        }

        var array = value.Items;
        var list = new List<TemplateSpec>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            list.Add(ReadTemplate(array[i], string.Create(CultureInfo.InvariantCulture, $"{key}[{i}]")));
        }

        return list;
    }

    private static TemplateSpec ReadTemplate(ManifestValue item, string key)
    {
        if (item.Kind == ManifestValueKind.String)
        {
            var sourceText = ReadString(item, key);
            var source = sourceText.Text;
            if (!source.EndsWith(TemplateSuffix, StringComparison.Ordinal) || source.Length == TemplateSuffix.Length
                || source[^(TemplateSuffix.Length + 1)] is '/' or '\\')
            {
                throw Error(item, key, $"{ManifestJson.Quote(source)} does not end in '{TemplateSuffix}'; name the template X{TemplateSuffix} to have it written to X, or give {{ \"source\": ..., \"target\": ... }}");
            }

            return new TemplateSpec(source, source[..^TemplateSuffix.Length], item.Location) { SourceText = sourceText };
        }

        if (item.Kind != ManifestValueKind.Object)
        {
            throw Error(item, key, $"must be a template file name (a string) or {{ \"source\": ..., \"target\": ... }}, got {ManifestJson.Describe(item)}");
        }

        string? src = null, target = null;
        TemplateString? srcText = null, targetText = null;
        foreach (var property in item.Properties)
        {
            switch (property.Name)
            {
                case "source":
                    srcText = ReadString(property.Value, key + ".source");
                    src = srcText.Text;
                    break;
                case "target":
                    targetText = ReadString(property.Value, key + ".target");
                    target = targetText.Text;
                    break;
                default:
                    var suggestion = NearMiss.Find(property.Name, ["source", "target"]);
                    throw Error(property, key, suggestion is null
                        ? $"unknown key '{property.Name}'; a template has 'source' and 'target'"
                        : $"unknown key '{property.Name}'; did you mean '{suggestion}'? A template has 'source' and 'target'");
            }
        }

        if (src is null)
        {
            throw Error(item, key, "'source' is required: the template file");
        }

        if (target is null)
        {
            if (!src.EndsWith(TemplateSuffix, StringComparison.Ordinal) || src.Length == TemplateSuffix.Length)
            {
                throw Error(item, key, $"'target' is required: the source {ManifestJson.Quote(src)} does not end in '{TemplateSuffix}'");
            }

            target = src[..^TemplateSuffix.Length];
        }

        if (string.Equals(src, target, StringComparison.Ordinal))
        {
            throw Error(item["target"]!, key + ".target", "is the template itself; rendering would overwrite the template");
        }

        return new TemplateSpec(src, target, item.Location) { SourceText = srcText, TargetText = targetText };
    }

    private static ManifestException Error(ManifestValue value, string key, string problem) => new(value.Location, $"{key}: {problem}");

    private static ManifestException Error(ManifestProperty property, string key, string problem) => new(property.Location, $"{key}: {problem}");
}
