namespace PbDeploy.Manifest;

/// <summary>
/// One service of the manifest, validated: the settings the engine uses. Strings that are templates (commands,
/// <c>cwd</c>, <c>pidfile</c>, <c>log</c>) are kept unrendered, with where they are written: they are rendered with the
/// service's variables when used.
/// </summary>
public sealed record ServiceDefinition
{
    /// <summary>The service's key in <c>services</c>.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The TCP port the service listens on (1-65535), or null for a pidfile service. For a blue-green service (see
    /// <see cref="Ports"/>), the first of its ports: where a first deploy starts it.
    /// </summary>
    public int? Port { get; init; }

    /// <summary>
    /// The two ports of a blue-green service (<c>"ports": [A, B]</c>), or null: a redeploy starts the new copy on the
    /// port that is free, switches the services that depend on it over, then stops the old copy.
    /// </summary>
    public IReadOnlyList<int>? Ports { get; init; }

    /// <summary>The pidfile (a template, relative to the project dir), or null for a port service.</summary>
    public TemplateString? Pidfile { get; init; }

    /// <summary>The command that starts the service.</summary>
    public required TemplateString Start { get; init; }

    /// <summary>The command that restarts a running service, or null (see <see cref="RestartsByStopAndStart"/>).</summary>
    public TemplateString? Restart { get; init; }

    /// <summary>
    /// True for <c>"restart": true</c>: a running service is stopped (as <c>pbdeploy stop</c> does) and started again,
    /// as <c>systemctl restart</c> does. False with no <see cref="Restart"/> command: a running service is left alone.
    /// </summary>
    public bool RestartsByStopAndStart { get; init; }

    /// <summary>
    /// True when a running service is left alone on a deploy: it has neither a restart command nor <c>"restart": true</c>,
    /// nor <see cref="Ports"/> (a blue-green service is replaced on every deploy).
    /// </summary>
    public bool LeftRunning => Restart is null && !RestartsByStopAndStart && Ports is null;

    /// <summary>One copy of a blue-green service: the service on <paramref name="port"/> alone, as a port service.</summary>
    internal ServiceDefinition OnPort(int port) => this with { Port = port, Ports = null };

    /// <summary>How long a <c>before</c>, <c>after</c>, <c>restart</c> or <c>stop</c> command may run before its process group is stopped (default 10 min).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The shell every command of the service runs through, as <c>SHELL -c COMMAND</c>: the service's <c>shell</c>, else
    /// the manifest's, else <c>/bin/sh</c>. <c>sh</c> means <c>/bin/sh</c>, <c>bash</c> the <c>bash</c> found on
    /// <c>PATH</c> when the command runs; anything else is an absolute path.
    /// </summary>
    public string Shell { get; init; } = DefaultShell;

    /// <summary>The shell commands run through when the manifest names none.</summary>
    public const string DefaultShell = "/bin/sh";

    /// <summary>The command that stops the service, or null for SIGTERM then SIGKILL.</summary>
    public TemplateString? Stop { get; init; }

    /// <summary>The working directory of the service's commands (a template, relative to the project dir), or null for the project dir.</summary>
    public TemplateString? Cwd { get; init; }

    /// <summary>Commands run in order before a start or restart.</summary>
    public IReadOnlyList<TemplateString> Before { get; init; } = [];

    /// <summary>Commands run in order after a start or restart.</summary>
    public IReadOnlyList<TemplateString> After { get; init; } = [];

    /// <summary>True (default): <see cref="Start"/> daemonizes by itself and exits. False: PbDeploy backgrounds it.</summary>
    public bool Daemonizes { get; init; } = true;

    /// <summary>Template files rendered before every start or restart.</summary>
    public IReadOnlyList<TemplateSpec> Templates { get; init; } = [];

    /// <summary>Environment variables of the service's commands, on top of the manifest's <c>env</c>.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Services that must be started before this one (and stopped after it).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Where a backgrounded service's output goes (a template, relative to the project dir), or null for the default.</summary>
    public TemplateString? Log { get; init; }

    /// <summary>How long a start or restart may take to become ready (default 30 s).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stop may take before SIGKILL (default 10 s).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Every key of the service as written in the manifest, settings and extra keys alike: what <c>{KEY}</c> and
    /// <c>services.NAME.KEY</c> see. The engine reads the typed settings above, never these.
    /// </summary>
    public required ManifestValue Values { get; init; }

    /// <summary>Where the service is defined in the manifest.</summary>
    public required SourceLocation Location { get; init; }
}
