using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using PbDeploy.Manifest;

namespace PbDeploy.Templating;

/// <summary>
/// The variables a service's templates and commands see. A lookup tries, in order: the built-ins
/// (<c>project_dir</c>, <c>name</c>, <c>port</c>, <c>pid</c>, <c>pids</c>, <c>env.NAME</c>, <c>services.OTHER.KEY</c>),
/// the service's own keys, then the manifest's <c>variables</c>. Values are used as written: a string value that
/// contains <c>{...}</c> is not rendered again.
/// </summary>
internal sealed class VariableScope
{
    private const string ProjectDirName = "project_dir";
    private const string NameName = "name";
    private const string PortName = "port";
    private const string PidName = "pid";
    private const string PidsName = "pids";
    private const string EnvName = "env";
    private const string ServicesName = "services";

    private readonly ServiceProcess? _process;
    private Dictionary<string, string>? _environment;
    private IReadOnlyCollection<string>? _names;

    private VariableScope(DeployManifest manifest, ServiceDefinition service, ServiceProcess? process)
    {
        Manifest = manifest;
        Service = service;
        _process = process;
    }

    /// <summary>The manifest whose variables this scope sees.</summary>
    public DeployManifest Manifest { get; }

    /// <summary>The service whose variables this scope sees.</summary>
    public ServiceDefinition Service { get; }

    /// <summary>
    /// The top-level names, sorted, for messages: built-ins, service keys and manifest variables, then
    /// <c>env.*</c> and <c>services.*</c>. <c>pid</c> and <c>pids</c> are listed even where nothing runs
    /// (a reference to them then says why they are not available).
    /// </summary>
    public IReadOnlyCollection<string> Names => _names ??= ComputeNames();

    /// <summary>
    /// The variables of <paramref name="service"/>: <c>project_dir</c>, <c>name</c>, <c>port</c>, <c>pid</c> and
    /// <c>pids</c> (from <paramref name="process"/>; <c>pid</c> is an error where nothing runs), <c>env.NAME</c>,
    /// <c>services.OTHER.KEY</c>, the manifest's <c>variables</c> and every key of the service.
    /// </summary>
    public static VariableScope ForService(DeployManifest manifest, ServiceDefinition service, ServiceProcess? process)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(service);
        return new VariableScope(manifest, service, process);
    }

    /// <summary>
    /// The value of a reference such as <c>port</c>, <c>env.HOME</c> or <c>services.app.port</c>, as text.
    /// </summary>
    /// <param name="reference">The reference without braces.</param>
    /// <param name="value">The value, when found.</param>
    /// <param name="whyNot">
    /// When not found: why, and what exists instead, e.g.
    /// <c>unknown variable 'domian'; did you mean 'domain'? Variables: domain, name, ...</c>.
    /// </param>
    public bool TryResolve(string reference, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? whyNot)
    {
        ArgumentNullException.ThrowIfNull(reference);
        whyNot = Resolve(reference, out value);
        return whyNot is null;
    }

    /// <summary>
    /// Renders a template string of the service (<see cref="ServiceDefinition.Start"/>, <see cref="ServiceDefinition.Cwd"/>,
    /// ...), locating errors at the character of the string in the manifest file.
    /// </summary>
    /// <returns>The rendered string, or null for null (a setting the service does not have).</returns>
    /// <exception cref="TemplateException">The string references an unknown or unavailable variable.</exception>
    public string? Render(TemplateString? template) =>
        template is null ? null : Template.Render(template.Text, template.Locate, this);

    /// <summary>Renders template strings of the service (<see cref="ServiceDefinition.Before"/>, ...), in order.</summary>
    /// <exception cref="TemplateException">A string references an unknown or unavailable variable.</exception>
    public IReadOnlyList<string> Render(IReadOnlyList<TemplateString> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var rendered = new List<string>(templates.Count);
        foreach (var template in templates)
        {
            rendered.Add(Template.Render(template.Text, template.Locate, this));
        }

        return rendered;
    }

    /// <summary>Resolves a reference; returns null and the value, or the reason it cannot be resolved.</summary>
    internal string? Resolve(string reference, out string? value)
    {
        value = null;
        var segments = reference.Split('.');
        var head = segments[0];

        switch (head)
        {
            case ProjectDirName:
                return Scalar(segments, Manifest.ProjectDir, out value);
            case NameName:
                return Scalar(segments, Service.Name, out value);
            case PortName:
                return Service.Port is { } port
                    ? Scalar(segments, port.ToString(CultureInfo.InvariantCulture), out value)
                    : $"'port' is not available: service '{Service.Name}' has no port (it is found by its pidfile)";
            case PidName or PidsName:
                if (_process is { Pid: { } pid })
                {
                    var text = head == PidName
                        ? pid.ToString(CultureInfo.InvariantCulture)
                        : string.Join(' ', (_process.Pids.Count > 0 ? _process.Pids : [pid]).Select(p => p.ToString(CultureInfo.InvariantCulture)));
                    return Scalar(segments, text, out value);
                }

                return $"'{head}' is not available: {_process?.Unavailable ?? ServiceProcess.NotRunning(Service.Name, Service.Port, Service.Pidfile?.Text)}";
            case EnvName:
                return ResolveEnv(segments, out value);
            case ServicesName:
                return ResolveService(segments, out value);
        }

        var token = Service.Values[head] ?? Manifest.Variables[head];
        if (token is null)
        {
            return Listing($"unknown variable '{head}'{Suggest(head, Names)}", "Variables", Names);
        }

        return Walk(token, head, segments, 1, out value);
    }

    private static string? Scalar(string[] segments, string text, out string? value)
    {
        if (segments.Length > 1)
        {
            value = null;
            return $"'{segments[0]}' is a string; it has no key '{segments[1]}'";
        }

        value = text;
        return null;
    }

    private string? ResolveEnv(string[] segments, out string? value)
    {
        value = null;
        if (segments.Length != 2)
        {
            return segments.Length == 1
                ? "'env' is the environment; pick a variable, e.g. {env.HOME}"
                : $"'env.{segments[1]}' is a string; it has no key '{segments[2]}'";
        }

        var environment = _environment ??= BuildEnvironment();
        if (environment.TryGetValue(segments[1], out value))
        {
            return null;
        }

        return $"environment variable '{segments[1]}' is not set{Suggest(segments[1], environment.Keys)}; "
            + "set it in the environment, or in 'env' of the manifest or of the service";
    }

    /// <summary>The environment the service's commands get: the process's, the manifest's env, the service's env, then PORT.</summary>
    public IReadOnlyDictionary<string, string> CommandEnvironment => _environment ??= BuildEnvironment();

    private Dictionary<string, string> BuildEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string text)
            {
                environment[key] = text;
            }
        }

        foreach (var (key, text) in Manifest.Env)
        {
            environment[key] = text;
        }

        foreach (var (key, text) in Service.Env)
        {
            environment[key] = text;
        }

        if (Service.Port is { } port)
        {
            environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        }

        return environment;
    }

    private string? ResolveService(string[] segments, out string? value)
    {
        value = null;
        var serviceNames = Manifest.Services.Select(s => s.Name).ToList();
        if (segments.Length == 1)
        {
            return $"'services' holds the services; pick one and a key, e.g. {{services.{serviceNames.FirstOrDefault() ?? "app"}.port}}";
        }

        var other = Manifest.Services.FirstOrDefault(s => s.Name == segments[1]);
        if (other is null)
        {
            return Listing($"there is no service '{segments[1]}'{Suggest(segments[1], serviceNames)}", "Services", serviceNames);
        }

        var prefix = $"services.{other.Name}";
        var keys = other.Values.Properties.Select(p => p.Name).Append(NameName);
        if (other.Port is not null)
        {
            keys = keys.Append(PortName);
        }

        var sortedKeys = keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (segments.Length == 2)
        {
            return $"'{prefix}' is a service; pick a key: {string.Join(", ", sortedKeys)}";
        }

        var key = segments[2];
        if (key == NameName)
        {
            return Scalar(segments[2..], other.Name, out value);
        }

        if (key == PortName && other.Port is { } port)
        {
            return Scalar(segments[2..], port.ToString(CultureInfo.InvariantCulture), out value);
        }

        if (key is PidName or PidsName)
        {
            return $"'{prefix}.{key}' is not available: only the service's own {{pid}} and {{pids}} are";
        }

        var token = other.Values[key];
        if (token is null)
        {
            return Listing($"service '{other.Name}' has no key '{key}'{Suggest(key, sortedKeys)}", "Its keys", sortedKeys);
        }

        return Walk(token, $"{prefix}.{key}", segments, 3, out value);
    }

    /// <summary>Follows the remaining dotted segments into objects, then renders the value found.</summary>
    private static string? Walk(ManifestValue token, string path, string[] segments, int next, out string? value)
    {
        value = null;
        for (var i = next; i < segments.Length; i++)
        {
            if (token.Kind != ManifestValueKind.Object)
            {
                return $"'{path}' is {Describe(token)}; it has no key '{segments[i]}'";
            }

            var child = token[segments[i]];
            if (child is null)
            {
                var keys = token.Properties.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                return Listing($"'{path}' has no key '{segments[i]}'{Suggest(segments[i], keys)}", "Its keys", keys);
            }

            token = child;
            path = $"{path}.{segments[i]}";
        }

        var builder = new StringBuilder();
        var error = Format(token, path, builder);
        if (error is null)
        {
            value = builder.ToString();
        }

        return error;
    }

    /// <summary>
    /// Appends a value as text: strings as they are, numbers in the invariant culture, booleans as
    /// <c>true</c>/<c>false</c>, arrays as their elements joined with a space.
    /// </summary>
    private static string? Format(ManifestValue token, string path, StringBuilder builder)
    {
        switch (token.Kind)
        {
            case ManifestValueKind.String:
                builder.Append(token.String!.Text);
                return null;
            case ManifestValueKind.Number when token.IsInteger:
                builder.Append(ManifestJson.FormatNumber(token));
                return null;
            case ManifestValueKind.Number:
                builder.Append(FormatFloat(token.ToDouble()));
                return null;
            case ManifestValueKind.Boolean:
                builder.Append(token.Boolean ? "true" : "false");
                return null;
            case ManifestValueKind.Array:
                var first = true;
                foreach (var item in token.Items)
                {
                    if (!first)
                    {
                        builder.Append(' ');
                    }

                    first = false;
                    if (Format(item, path, builder) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            case ManifestValueKind.Object:
                var keys = token.Properties.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                return keys.Count == 0
                    ? $"'{path}' is an empty object; it has no value to insert"
                    : $"'{path}' is an object; pick a key: {string.Join(", ", keys.Select(k => $"{{{path}.{k}}}"))}";
            case ManifestValueKind.Null when token.IsUndefined:
                return $"'{path}' is undefined, which cannot be inserted";
            default:
                return $"'{path}' is null; give it a value";
        }
    }

    /// <summary>A float as JSON would write it: <c>1.5</c>, and <c>2.0</c> (not <c>2</c>) for a whole number.</summary>
    private static string FormatFloat(double number)
    {
        var text = number.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(number) && !text.Contains('.', StringComparison.Ordinal) && !text.Contains('E', StringComparison.Ordinal)
            ? text + ".0"
            : text;
    }

    private static string Describe(ManifestValue token) => token.Kind switch
    {
        ManifestValueKind.Object => "an object",
        ManifestValueKind.Array => "a list",
        ManifestValueKind.Number => "a number",
        ManifestValueKind.Boolean => "a boolean",
        ManifestValueKind.Null => "null",
        _ => "a string",
    };

    private IReadOnlyCollection<string> ComputeNames()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal) { ProjectDirName, NameName, PidName, PidsName };
        if (Service.Port is not null)
        {
            names.Add(PortName);
        }

        foreach (var property in Service.Values.Properties)
        {
            names.Add(property.Name);
        }

        foreach (var property in Manifest.Variables.Properties)
        {
            names.Add(property.Name);
        }

        names.Remove(EnvName);
        names.Remove(ServicesName);
        return [.. names, "env.*", "services.*"];
    }

    /// <summary>A problem, then a list of what exists: <c>problem. Label: a, b</c> (no period after a question).</summary>
    private static string Listing(string problem, string label, IEnumerable<string> items) =>
        $"{problem}{(problem.EndsWith('?') ? "" : ".")} {label}: {string.Join(", ", items)}";

    /// <summary><c>; did you mean 'x'?</c> for the closest candidates, or nothing when none is close.</summary>
    internal static string Suggest(string wrong, IEnumerable<string> candidates)
    {
        var limit = Math.Clamp(wrong.Length / 3, 1, 3);
        var best = int.MaxValue;
        var matches = new List<string>();
        foreach (var candidate in candidates)
        {
            if (candidate.EndsWith(".*", StringComparison.Ordinal))
            {
                continue;
            }

            var distance = string.Equals(candidate, wrong, StringComparison.OrdinalIgnoreCase)
                ? 0
                : Distance(wrong.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance > limit || distance > best)
            {
                continue;
            }

            if (distance < best)
            {
                best = distance;
                matches.Clear();
            }

            matches.Add(candidate);
        }

        return matches.Count switch
        {
            0 => "",
            1 => $"; did you mean '{matches[0]}'?",
            _ => $"; did you mean {string.Join(" or ", matches.Order(StringComparer.Ordinal).Take(3).Select(m => $"'{m}'"))}?",
        };
    }

    /// <summary>Edit distance with adjacent transpositions; names whose lengths differ by more than 3 are never suggested.</summary>
    private static int Distance(string a, string b) =>
        Math.Abs(a.Length - b.Length) > 3 ? int.MaxValue : NearMiss.Distance(a, b);
}
