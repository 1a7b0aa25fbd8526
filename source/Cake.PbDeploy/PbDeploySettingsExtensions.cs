namespace Cake.PbDeploy;

/// <summary>
/// Fluent <c>With...</c> setters for <see cref="PbDeploySettings"/>, <see cref="PbDeployHostSettings"/> and <see cref="PbDeployTaskSettings"/>: each sets
/// one property and returns the same settings, to chain them.
/// </summary>
/// <example>
/// <code>
/// PbDeploy("pbdeploy.json", new PbDeploySettings().WithServices("web").WithQuick(HasArgument("quick")));
/// var deploy = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings().WithTaskPrefix("Site.").WithNoDependencies());
/// </code>
/// </example>
public static class PbDeploySettingsExtensions
{
    /// <summary>Adds services to <see cref="PbDeploySettings.Services"/> (none named: all services).</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="services">The names of the services, as in the manifest.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeployStop("pbdeploy.json", new PbDeploySettings().WithServices("web", "worker"));
    /// </code>
    /// </example>
    public static PbDeploySettings WithServices(this PbDeploySettings settings, params string[] services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        foreach (var service in services)
        {
            settings.Services.Add(service);
        }

        return settings;
    }

    /// <summary>Sets <see cref="PbDeploySettings.Quick"/>: skip the before and after commands.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="quick">True (the default) to skip them.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeploy("pbdeploy.json", new PbDeploySettings().WithQuick(HasArgument("quick")));
    /// </code>
    /// </example>
    public static PbDeploySettings WithQuick(this PbDeploySettings settings, bool quick = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Quick = quick;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeploySettings.NoDependencies"/>: deploy only the services named, not what they depend on.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="noDependencies">True (the default) to leave out what they depend on.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeploy("pbdeploy.json", new PbDeploySettings().WithServices("web").WithNoDependencies());
    /// </code>
    /// </example>
    public static PbDeploySettings WithNoDependencies(this PbDeploySettings settings, bool noDependencies = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.NoDependencies = noDependencies;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeploySettings.LockTimeout"/>: how long to wait for another deploy of the project.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="lockTimeout">The longest wait; zero to fail at once when another deploy runs.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeploy("pbdeploy.json", new PbDeploySettings().WithLockTimeout(TimeSpan.FromMinutes(2)));
    /// </code>
    /// </example>
    public static PbDeploySettings WithLockTimeout(this PbDeploySettings settings, TimeSpan lockTimeout)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.LockTimeout = lockTimeout;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeploySettings.Local"/>: act on this machine even though the manifest has hosts.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="local">True (the default) to act here.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeploy("pbdeploy.json", new PbDeploySettings().WithLocal());
    /// </code>
    /// </example>
    public static PbDeploySettings WithLocal(this PbDeploySettings settings, bool local = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Local = local;
        return settings;
    }

    /// <summary>Adds services to <see cref="PbDeployHostSettings.Services"/> (none named: all services).</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="services">The names of the services, as in the manifest.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeployHosts("pbdeploy.json", new PbDeployHostSettings().WithServices("web"));
    /// </code>
    /// </example>
    public static PbDeployHostSettings WithServices(this PbDeployHostSettings settings, params string[] services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        foreach (var service in services)
        {
            settings.Services.Add(service);
        }

        return settings;
    }

    /// <summary>Adds hosts to <see cref="PbDeployHostSettings.Hosts"/> (none named: all of the manifest's hosts).</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="hosts">The names of the hosts, as in the manifest's <c>hosts</c>.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeployHosts("pbdeploy.json", new PbDeployHostSettings().WithHosts("web1"));
    /// </code>
    /// </example>
    public static PbDeployHostSettings WithHosts(this PbDeployHostSettings settings, params string[] hosts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(hosts);
        foreach (var host in hosts)
        {
            settings.Hosts.Add(host);
        }

        return settings;
    }

    /// <summary>Sets <see cref="PbDeployHostSettings.Quick"/>: the hosts skip the before and after commands.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="quick">True (the default) to skip them.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeployHosts("pbdeploy.json", new PbDeployHostSettings().WithQuick(HasArgument("quick")));
    /// </code>
    /// </example>
    public static PbDeployHostSettings WithQuick(this PbDeployHostSettings settings, bool quick = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Quick = quick;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeployHostSettings.NoDependencies"/>: the hosts deploy only the services named.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="noDependencies">True (the default) to leave out what they depend on.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeployHosts("pbdeploy.json", new PbDeployHostSettings().WithServices("web").WithNoDependencies());
    /// </code>
    /// </example>
    public static PbDeployHostSettings WithNoDependencies(this PbDeployHostSettings settings, bool noDependencies = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.NoDependencies = noDependencies;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeployHostSettings.Sync"/>: first copy the project to each host's dir.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="sync">True (the default) to copy it.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeployHosts("pbdeploy.json", new PbDeployHostSettings().WithSync());
    /// </code>
    /// </example>
    public static PbDeployHostSettings WithSync(this PbDeployHostSettings settings, bool sync = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Sync = sync;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeployHostSettings.LockTimeout"/>: how long each host waits for another deploy of its project.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="lockTimeout">The longest wait; zero to fail at once when another deploy runs.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// PbDeployHosts("pbdeploy.json", new PbDeployHostSettings().WithLockTimeout(TimeSpan.FromMinutes(2)));
    /// </code>
    /// </example>
    public static PbDeployHostSettings WithLockTimeout(this PbDeployHostSettings settings, TimeSpan lockTimeout)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.LockTimeout = lockTimeout;
        return settings;
    }

    /// <summary>
    /// Adds services to <see cref="PbDeployTaskSettings.Services"/>: the umbrella tasks act on them instead of the
    /// script's <c>--services=</c>.
    /// </summary>
    /// <param name="settings">The settings.</param>
    /// <param name="services">The names of the services, as in the manifest.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// var deploy = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings().WithServices("web", "api"));
    /// </code>
    /// </example>
    public static PbDeployTaskSettings WithServices(this PbDeployTaskSettings settings, params string[] services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        settings.Services ??= [];
        foreach (var service in services)
        {
            settings.Services.Add(service);
        }

        return settings;
    }

    /// <summary>Sets <see cref="PbDeployTaskSettings.Quick"/>: skip the before and after commands, whatever <c>--quick</c> says.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="quick">True (the default) to skip them, false to run them even with <c>--quick</c>.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// var deploy = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings().WithQuick(EnvironmentVariable("CI") is null));
    /// </code>
    /// </example>
    public static PbDeployTaskSettings WithQuick(this PbDeployTaskSettings settings, bool quick = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Quick = quick;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeployTaskSettings.NoDependencies"/>: deploy only the services named, whatever <c>--no-deps</c> says.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="noDependencies">True (the default) to leave out what they depend on.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// var deploy = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings().WithNoDependencies());
    /// </code>
    /// </example>
    public static PbDeployTaskSettings WithNoDependencies(this PbDeployTaskSettings settings, bool noDependencies = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.NoDependencies = noDependencies;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeployTaskSettings.LockTimeout"/>: how long to wait for another deploy of the project.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="lockTimeout">The longest wait; zero to fail at once when another deploy runs.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// var deploy = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings().WithLockTimeout(TimeSpan.FromMinutes(2)));
    /// </code>
    /// </example>
    public static PbDeployTaskSettings WithLockTimeout(this PbDeployTaskSettings settings, TimeSpan lockTimeout)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.LockTimeout = lockTimeout;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeployTaskSettings.TaskPrefix"/>: put before every generated task name.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="taskPrefix">The prefix, such as <c>"Site."</c> (tasks <c>Site.Deploy</c>, <c>Site.Deploy:web</c> ...).</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// var site = PbDeployTasks("site/pbdeploy.json", new PbDeployTaskSettings().WithTaskPrefix("Site."));
    /// </code>
    /// </example>
    public static PbDeployTaskSettings WithTaskPrefix(this PbDeployTaskSettings settings, string taskPrefix)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.TaskPrefix = taskPrefix;
        return settings;
    }

    /// <summary>
    /// Adds hosts to <see cref="PbDeployTaskSettings.Hosts"/>: <c>Deploy</c> and <c>Stop</c> act on them instead of the
    /// script's <c>--hosts=</c>.
    /// </summary>
    /// <param name="settings">The settings.</param>
    /// <param name="hosts">The names of the hosts, as in the manifest's <c>hosts</c>.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// var deploy = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings().WithHosts("web1", "web2"));
    /// </code>
    /// </example>
    public static PbDeployTaskSettings WithHosts(this PbDeployTaskSettings settings, params string[] hosts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(hosts);
        settings.Hosts ??= [];
        foreach (var host in hosts)
        {
            settings.Hosts.Add(host);
        }

        return settings;
    }

    /// <summary>Sets <see cref="PbDeployTaskSettings.Local"/>: act on this machine even where the manifest has hosts, whatever <c>--local</c> says.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="local">True (the default) to act here, false to act on the hosts even with <c>--local</c>.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// var deploy = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings().WithLocal());
    /// </code>
    /// </example>
    public static PbDeployTaskSettings WithLocal(this PbDeployTaskSettings settings, bool local = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Local = local;
        return settings;
    }

    /// <summary>Sets <see cref="PbDeployTaskSettings.Sync"/>: over hosts, first copy the project to each host's dir, whatever <c>--sync</c> says.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="sync">True (the default) to copy it.</param>
    /// <returns>The same <paramref name="settings"/>.</returns>
    /// <example>
    /// <code>
    /// var deploy = PbDeployTasks("pbdeploy.json", new PbDeployTaskSettings().WithSync());
    /// </code>
    /// </example>
    public static PbDeployTaskSettings WithSync(this PbDeployTaskSettings settings, bool sync = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Sync = sync;
        return settings;
    }
}
