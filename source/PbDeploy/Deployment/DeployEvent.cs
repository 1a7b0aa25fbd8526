namespace PbDeploy.Deployment;

/// <summary>Progress of a deploy, for front ends to render. Raised one at a time, from any thread.</summary>
/// <param name="Service">The service it concerns, or null for the whole run.</param>
public abstract record DeployEvent(string? Service);

/// <summary>
/// A deploy begins: one pipeline per service (<c>before</c> → start/restart → <c>after</c>; without <c>before</c> and
/// <c>after</c> when <paramref name="Quick"/>), for the services named and those they depend on, in manifest order.
/// </summary>
public sealed record DeployStarted(IReadOnlyList<string> Services, bool Quick) : DeployEvent((string?)null);

/// <summary>A phase begins for the selected services (a build engine's phase targets; a deploy raises <see cref="DeployStarted"/>).</summary>
public sealed record PhaseStarted(Phase Phase, IReadOnlyList<string> Services) : DeployEvent((string?)null);

/// <summary>A command of a service is about to run.</summary>
public sealed record CommandStarted(string Service, Phase Phase, string Kind, string Command) : DeployEvent(Service);

/// <summary>A command of a service has finished (its output is in the result).</summary>
public sealed record CommandFinished(string Service, Phase Phase, string Kind, Processes.CommandResult Result) : DeployEvent(Service);

/// <summary>Waiting for a service to become ready (its port listens, or its pidfile names a live pid), or to be gone.</summary>
public sealed record Waiting(string Service, string What, TimeSpan Timeout) : DeployEvent(Service);

/// <summary>Templates of a service were rendered.</summary>
public sealed record TemplatesRendered(string Service, IReadOnlyList<Templating.RenderedFile> Files) : DeployEvent(Service);

/// <summary>Something worth a look that does not stop the run (a stale pidfile, a manifest near miss).</summary>
public sealed record DeployWarning(string? Service, string Message) : DeployEvent(Service);

/// <summary>Waiting for another deploy of the same project to release the lock.</summary>
public sealed record WaitingForLock(string LockPath, string Holder) : DeployEvent((string?)null);

/// <summary>A phase has finished for a service.</summary>
public sealed record ServiceFinished(ServiceOutcome Outcome) : DeployEvent(Outcome.Service);

/// <summary>
/// A blue-green service's new copy is ready on <paramref name="ToPort"/>: the running services that depend on it
/// (<paramref name="Dependents"/>) are re-rendered and restarted to point at it, then the copy on
/// <paramref name="FromPort"/> is stopped.
/// </summary>
public sealed record SwitchingOver(string Service, int FromPort, int ToPort, IReadOnlyList<string> Dependents) : DeployEvent(Service);
