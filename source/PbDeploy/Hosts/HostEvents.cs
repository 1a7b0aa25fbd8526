using PbDeploy.Deployment;

namespace PbDeploy.Hosts;

/// <summary>An event of the deploy on a host, streamed back over ssh and raised here with the host's name.</summary>
/// <param name="Host">The host's name in the manifest.</param>
/// <param name="Event">The remote event (never a <see cref="DeployFinished"/>: that ends the host, see <see cref="HostFinished"/>).</param>
public sealed record HostEvent(string Host, DeployEvent Event) : DeployEvent(Event?.Service);

/// <summary>Work on a host begins: <c>sync</c> (rsync of the project), <c>deploy</c>, <c>stop</c> or <c>status</c>.</summary>
/// <param name="Host">The host's name.</param>
/// <param name="Destination">Where ssh connects.</param>
/// <param name="Step">What begins.</param>
public sealed record HostStarted(string Host, string Destination, string Step) : DeployEvent((string?)null);

/// <summary>
/// A line from a host that is not an event: the remote pbdeploy's errors and warnings, ssh's own messages, a remote
/// shell's greeting, rsync's output.
/// </summary>
/// <param name="Host">The host's name.</param>
/// <param name="Line">The line, without its end.</param>
/// <param name="IsError">True when it came on stderr.</param>
public sealed record HostOutput(string Host, string Line, bool IsError) : DeployEvent((string?)null);

/// <summary>A host is done (succeeded, failed, unreachable, interrupted), or will not be run (a batch before it failed).</summary>
public sealed record HostFinished(HostResult Result) : DeployEvent((string?)null);

/// <summary>A batch of hosts is done and the next waits the manifest's <c>rollout.wait</c>.</summary>
/// <param name="Wait">How long.</param>
/// <param name="NextHosts">The hosts of the next batch.</param>
public sealed record RolloutWaiting(TimeSpan Wait, IReadOnlyList<string> NextHosts) : DeployEvent((string?)null);
