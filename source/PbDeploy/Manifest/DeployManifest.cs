namespace PbDeploy.Manifest;

/// <summary>A loaded and validated <c>pbdeploy.json</c>.</summary>
public sealed record DeployManifest
{
    /// <summary>The manifest file's full path.</summary>
    public required string Path { get; init; }

    /// <summary>The manifest's directory: <c>{project_dir}</c>, and the base of every relative path.</summary>
    public required string ProjectDir { get; init; }

    /// <summary>The manifest's <c>variables</c> (an object, empty when absent): template variables of every service.</summary>
    public required ManifestValue Variables { get; init; }

    /// <summary>The manifest's <c>env</c>: environment variables of every command.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>The services, in manifest order.</summary>
    public required IReadOnlyList<ServiceDefinition> Services { get; init; }

    /// <summary>The manifest's <c>hosts</c>, in manifest order; empty when it has none (a deploy on this machine only).</summary>
    public IReadOnlyList<HostDefinition> Hosts { get; init; } = [];

    /// <summary>The manifest's <c>rollout</c>: how a deploy goes over the hosts.</summary>
    public RolloutSettings Rollout { get; init; } = new();

    /// <summary>Near misses and other things worth a look; loading went on.</summary>
    public IReadOnlyList<ManifestWarning> Warnings { get; init; } = [];

    /// <summary>The service of that name.</summary>
    /// <exception cref="PbDeployException">No service has that name.</exception>
    public ServiceDefinition GetService(string name) =>
        Services.FirstOrDefault(s => s.Name == name)
        ?? throw new InputException(
            $"{Path}: there is no service '{name}'; the services are: {string.Join(", ", Services.Select(s => s.Name))}.");

    /// <summary>The services of those names in manifest order, or all of them when none is named.</summary>
    /// <exception cref="PbDeployException">A name is not a service.</exception>
    public IReadOnlyList<ServiceDefinition> Select(IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return Services;
        }

        foreach (var name in names)
        {
            _ = GetService(name);
        }

        return Services.Where(s => names.Contains(s.Name)).ToList();
    }

    /// <summary>
    /// The services of those names and every service they depend on, directly or not, in manifest order (what a deploy
    /// of those names acts on); all of them when none is named.
    /// </summary>
    /// <exception cref="PbDeployException">A name is not a service.</exception>
    public IReadOnlyList<ServiceDefinition> SelectWithDependencies(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var selected = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Select(names).Select(s => s.Name));
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (selected.Add(name))
            {
                foreach (var dependency in GetService(name).DependsOn)
                {
                    pending.Push(dependency);
                }
            }
        }

        return Services.Where(s => selected.Contains(s.Name)).ToList();
    }

    /// <summary>
    /// This manifest with each blue-green service's <see cref="ServiceDefinition.Port"/> set to its active port (what
    /// <c>{services.NAME.port}</c> renders to); services not in <paramref name="active"/> keep theirs.
    /// </summary>
    internal DeployManifest WithActivePorts(IReadOnlyDictionary<string, int> active) =>
        active.Count == 0 || !Services.Any(s => s.Ports is not null && active.TryGetValue(s.Name, out var port) && port != s.Port)
            ? this
            : this with
            {
                Services = [.. Services.Select(s => s.Ports is not null && active.TryGetValue(s.Name, out var port) ? s with { Port = port } : s)],
            };
}
