namespace PbDeploy.Manifest;

/// <summary>Finds and loads <c>pbdeploy.json</c>.</summary>
public static class ManifestLoader
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "pbdeploy.json";

    private static readonly string[] TopLevelKeys = ["$schema", "variables", "env", "shell", "services", "hosts", "rollout"];

    /// <summary>The settings a service may have; any other key of a service is a template variable.</summary>
    public static IReadOnlyList<string> ServiceSettings => ServiceReader.Settings;

    /// <summary>
    /// The <c>pbdeploy.json</c> in <paramref name="startDirectory"/> or its nearest parent. The nearest one is returned
    /// whoever owns it: <see cref="Load(string)"/> then refuses an untrusted one with a message, rather than the
    /// search passing it silently for one further up.
    /// </summary>
    /// <exception cref="PbDeployException">There is none.</exception>
    public static string Find(string startDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(startDirectory);
        var start = Path.GetFullPath(startDirectory);
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InputException(
            $"no {FileName} in {start} or any parent folder; create one or pass --manifest PATH");
    }

    /// <summary>
    /// Loads and validates a manifest, if the caller may trust it (<see cref="ManifestTrust.FromEnvironment"/>): it and
    /// its folder belong to the caller or root (or an owner the environment trusts), and no other user could have
    /// written or replaced it.
    /// </summary>
    /// <exception cref="ManifestException">The manifest is invalid; the message names file, line, column and key.</exception>
    /// <exception cref="PbDeployException">The file does not exist, cannot be read, is not a regular file, is too large or is not trusted.</exception>
    /// <exception cref="EnvironmentException">Not Linux on x64 or arm64 (<see cref="PlatformSupport"/>).</exception>
    public static DeployManifest Load(string path) => Load(path, ManifestTrust.FromEnvironment());

    /// <summary>Loads and validates a manifest, if <paramref name="trust"/> allows it.</summary>
    /// <inheritdoc cref="Load(string)"/>
    internal static DeployManifest Load(string path, ManifestTrust trust)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(trust);
        Platform.PlatformCheck.ThrowIfUnsupported();
        var fullPath = Path.GetFullPath(path);
        return Parse(fullPath, ManifestFile.Read(fullPath, trust));
    }

    /// <summary>
    /// Loads and validates a manifest's text as if it were the file <paramref name="path"/>, which is not read (nor needs
    /// to exist): what <c>import</c> checks before it writes anything.
    /// </summary>
    /// <exception cref="ManifestException">The text is not a valid manifest.</exception>
    internal static DeployManifest LoadText(string path, byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(Path.GetFullPath(path), bytes);
    }

    private static DeployManifest Parse(string fullPath, byte[] bytes)
    {
        var root = ManifestJson.Parse(fullPath, bytes);
        var warnings = new List<ManifestWarning>();

        ManifestValue? variables = null;
        string? shell = null;
        Dictionary<string, string>? env = null;
        ManifestProperty? services = null;
        List<HostDefinition> hosts = [];
        RolloutSettings? rollout = null;
        foreach (var property in root.Properties)
        {
            switch (property.Name)
            {
                case "$schema":
                    break; // For editors; PbDeploy does not read it.
                case "variables":
                    variables = ReadVariables(property);
                    break;
                case "env":
                    env = property.Value.IsNull
                        ? null
                        : ServiceReader.ReadEnvironment(property.Value, "env");
                    break;
                case "shell":
                    shell = property.Value.IsNull ? null : ServiceReader.ReadShell(property.Value, "shell");
                    break;
                case "services":
                    services = property;
                    break;
                case "hosts":
                    hosts = HostReader.ReadHosts(property.Value);
                    break;
                case "rollout":
                    rollout = HostReader.ReadRollout(property.Value);
                    break;
                default:
                    throw UnknownTopLevelKey(property);
            }
        }

        if (services is null || services.Value.IsNull)
        {
            throw new ManifestException(
                services is null ? root.Location : services.Value.Location,
                "'services' is required: an object of services, e.g. \"services\": { \"web\": { \"port\": 8000, \"start\": \"...\" } }");
        }

        var servicesObject = services.Value;
        if (servicesObject.Kind != ManifestValueKind.Object)
        {
            throw new ManifestException(
                servicesObject.Location,
                $"services: must be an object of services {{ \"NAME\": {{ ... }} }}, got {ManifestJson.Describe(servicesObject)}");
        }

        if (servicesObject.Properties.Count == 0)
        {
            throw new ManifestException(
                servicesObject.Location,
                "services: has no service; add one, e.g. \"web\": { \"port\": 8000, \"start\": \"...\" }");
        }

        var reader = new ServiceReader(warnings, shell ?? ServiceDefinition.DefaultShell);
        var definitions = new List<ServiceDefinition>();
        foreach (var service in servicesObject.Properties)
        {
            if (!Names.IsServiceName(service.Name))
            {
                throw new ManifestException(
                    service.Location,
                    $"services: {Names.Quote(service.Name)} is not a valid service name; use letters, digits, '_' and '-', starting with a letter or '_'");
            }

            definitions.Add(reader.Read(service));
        }

        ManifestChecks.Check(definitions);

        return new DeployManifest
        {
            Path = fullPath,
            ProjectDir = Path.GetDirectoryName(fullPath)!,
            Variables = variables ?? ManifestValue.FromProperties([], root.Location),
            Env = env ?? new Dictionary<string, string>(),
            Services = definitions,
            Hosts = hosts,
            Rollout = rollout ?? new RolloutSettings(),
            Warnings = warnings,
        };
    }

    private static ManifestValue? ReadVariables(ManifestProperty property)
    {
        var variables = property.Value;
        if (variables.IsNull)
        {
            return null;
        }

        if (variables.Kind != ManifestValueKind.Object)
        {
            throw new ManifestException(
                variables.Location,
                $"variables: must be an object of template variables {{ \"name\": value }}, got {ManifestJson.Describe(variables)}");
        }

        foreach (var variable in variables.Properties)
        {
            ServiceReader.CheckVariableName(variable, "variables", "a variable");
        }

        return variables;
    }

    private static ManifestException UnknownTopLevelKey(ManifestProperty property)
    {
        var name = property.Name;
        var known = string.Join(", ", TopLevelKeys);
        string problem;
        if (ServiceReader.Settings.Contains(name))
        {
            problem = $"'{name}' is a service setting; put it in a service: \"services\": {{ \"NAME\": {{ \"{name}\": ... }} }}";
        }
        else if (NearMiss.Find(name, TopLevelKeys) is { } suggestion)
        {
            problem = $"unknown key '{name}'; did you mean '{suggestion}'? The top-level keys are {known}";
        }
        else
        {
            problem = $"unknown key '{name}'; the top-level keys are {known} (template variables go in 'variables')";
        }

        return new ManifestException(property.Location, problem);
    }
}
