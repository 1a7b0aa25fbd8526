using PbDeploy.Manifest;
using PbDeploy.Processes;
using PbDeploy.Status;
using PbDeploy.Templating;

namespace PbDeploy.Deployment;

/// <summary>A service's settings rendered for its current status: what its commands need to run.</summary>
internal sealed class ServiceContext
{
    private ServiceContext(DeployManifest manifest, ServiceDefinition service, ServiceStatus? status)
    {
        // A blue-green service's commands run for one copy: {port} and PORT are the port of the copy found running.
        service = service.Ports is not null && status?.Port is { } port ? service.OnPort(port) : service;
        Service = service;
        Status = status;
        Scope = VariableScope.ForService(manifest, service, status?.ForTemplates());
        var cwd = Scope.Render(service.Cwd);
        WorkingDirectory = cwd is null ? manifest.ProjectDir : Path.GetFullPath(cwd, manifest.ProjectDir);
        var log = Scope.Render(service.Log);
        LogPath = log is null
            ? Path.Combine(manifest.ProjectDir, ".pbdeploy", "logs", $"{service.Name}.log")
            : Path.GetFullPath(log, manifest.ProjectDir);
    }

    public ServiceDefinition Service { get; }

    public ServiceStatus? Status { get; }

    public VariableScope Scope { get; }

    public string WorkingDirectory { get; }

    public string LogPath { get; }

    public IReadOnlyDictionary<string, string> Environment => Scope.CommandEnvironment;

    /// <summary>
    /// The full path of the shell the service's commands run through (its <c>shell</c>, found on the commands' <c>PATH</c>
    /// for <c>bash</c>), looked up when first asked.
    /// </summary>
    /// <exception cref="EnvironmentException">There is no such shell on this machine.</exception>
    public string Shell => _shell ??= LocateShell(Service, Environment);

    private string? _shell;

    private static string LocateShell(ServiceDefinition service, IReadOnlyDictionary<string, string> environment)
    {
        var searchPath = environment.TryGetValue("PATH", out var path) ? path : null;
        if (ShellCommand.LocateShell(service.Shell, searchPath) is { } shell)
        {
            return shell;
        }

        var where = service.Shell.Contains('/', StringComparison.Ordinal)
            ? "there is no executable file there"
            : $"there is no {service.Shell} on PATH ({searchPath ?? "unset"})";
        throw new EnvironmentException(
            $"cannot run the commands of service '{service.Name}' with \"shell\": \"{service.Shell}\": {where}; install it, or set \"shell\" to the absolute path of a shell that is there.");
    }

    /// <summary>Renders the service's settings for <paramref name="status"/>; a bad reference throws <see cref="TemplateException"/>.</summary>
    public static ServiceContext For(DeployManifest manifest, ServiceDefinition service, ServiceStatus? status) => new(manifest, service, status);

    /// <summary>A status that makes <c>pid</c> available, for checking commands that only run while the service runs.</summary>
    public static ServiceStatus AsRunning(ServiceDefinition service, ServiceStatus? status) =>
        status is { State: ServiceState.Running }
            ? status
            : new ServiceStatus { Name = service.Name, Port = service.Port, Pidfile = service.Pidfile?.Text, State = ServiceState.Running, Pid = 0, Pids = [0] };

    /// <summary>The rendered command of <paramref name="kind"/> (<see cref="CommandKinds"/>), or null when the service has none.</summary>
    public string? Command(string kind) => Scope.Render(kind switch
    {
        CommandKinds.Start => Service.Start,
        CommandKinds.Restart => Service.Restart,
        CommandKinds.Stop => Service.Stop,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a single command"),
    });

    /// <summary>The rendered commands of <paramref name="kind"/> (<see cref="CommandKinds.Before"/> or <see cref="CommandKinds.After"/>), in order.</summary>
    public IReadOnlyList<string> Commands(string kind) => Scope.Render(kind switch
    {
        CommandKinds.Before => Service.Before,
        CommandKinds.After => Service.After,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a list of commands"),
    });

    /// <summary>
    /// Checks every command and template of <paramref name="service"/> before anything runs, each against the status it
    /// will run with: <c>start</c> where nothing runs, <c>restart</c>, <c>stop</c> and <c>after</c> where it runs,
    /// <c>before</c> and templates as it is now.
    /// </summary>
    /// <remarks>
    /// Its shell is looked up too, for a deploy, or for a stop when the service has a <c>stop</c> command (a stop by
    /// signal needs no shell): a missing bash fails before anything runs.
    /// </remarks>
    public static void Validate(DeployManifest manifest, ServiceDefinition service, ServiceStatus status, bool stop = false)
    {
        var now = For(manifest, service, status);
        if (!stop || service.Stop is not null)
        {
            _ = now.Shell;
        }

        _ = now.Commands(CommandKinds.Before);
        _ = TemplateWriter.Prepare(manifest, service, now.Scope);
        _ = For(manifest, service, null).Command(CommandKinds.Start);
        var running = For(manifest, service, AsRunning(service, status));
        _ = running.Command(CommandKinds.Restart);
        _ = running.Command(CommandKinds.Stop);
        _ = running.Commands(CommandKinds.After);
    }
}
