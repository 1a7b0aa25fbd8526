using PbDeploy.Deployment;

namespace PbDeploy.Hosts;

/// <summary>What to run on which hosts, and how to reach them.</summary>
public sealed record HostRunOptions
{
    /// <summary>The variable that holds the ssh program and its options, as git's <c>GIT_SSH_COMMAND</c>.</summary>
    public const string SshCommandVariable = "PBDEPLOY_SSH_COMMAND";

    /// <summary>What each host deploys or stops: services, <c>--quick</c>, <c>--no-deps</c>, the lock timeout.</summary>
    public DeployOptions Deploy { get; init; } = new();

    /// <summary>The hosts to act on, by name; empty for all of the manifest's hosts.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>First copy the local project folder to each host's <c>dir</c> (<c>rsync -a --delete</c> over the same ssh command).</summary>
    public bool Sync { get; init; }

    /// <summary>
    /// The ssh program and its options, run as <c>/bin/sh -c 'VALUE "$@"' ssh ARGS</c> (default: the
    /// <see cref="SshCommandVariable"/> variable, or <c>ssh</c>).
    /// </summary>
    public string SshCommand { get; init; } = FromEnvironment();

    /// <summary>ssh's <c>ConnectTimeout</c>: how long a host may take to answer before it counts as unreachable (default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a cancel, how long the remote pbdeploys have to stop what they started and say so (they see their stdin
    /// close) before their ssh is stopped (default 8 s).
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>The <see cref="SshCommandVariable"/> variable, or <c>ssh</c> when it is unset or blank.</summary>
    public static string FromEnvironment() =>
        Environment.GetEnvironmentVariable(SshCommandVariable) is { } value && !string.IsNullOrWhiteSpace(value) ? value : "ssh";
}
