using PbDeploy.Deployment;

namespace PbDeploy.Hosts;

/// <summary>What became of a host in a deploy or stop over hosts.</summary>
public enum HostState
{
    /// <summary>Its deploy or stop succeeded.</summary>
    Succeeded,

    /// <summary>Its deploy or stop (or the sync before it) failed: see the outcomes and the message.</summary>
    Failed,

    /// <summary>ssh could not connect (or the connection broke before the remote pbdeploy said anything).</summary>
    Unreachable,

    /// <summary>Not attempted: a batch before it failed, or the run was interrupted first.</summary>
    NotRun,

    /// <summary>The run was interrupted while the host deployed; the remote pbdeploy stopped what it had started.</summary>
    Interrupted,
}

/// <summary>One host's part of a run over hosts.</summary>
/// <param name="Host">The host's name.</param>
/// <param name="State">What became of it.</param>
public sealed record HostResult(string Host, HostState State)
{
    /// <summary>What the remote pbdeploy did, service by service; null when it did not say (unreachable, not run, a refused manifest).</summary>
    public DeployResult? Result { get; init; }

    /// <summary>The exit code of the remote pbdeploy (or 255 from ssh); null when it was not run.</summary>
    public int? ExitCode { get; init; }

    /// <summary>For a failure: what went wrong and what to do (the remote error line, ssh's message).</summary>
    public string? Message { get; init; }

    /// <summary>How long the host took, sync included.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>True for every state but <see cref="HostState.Succeeded"/>.</summary>
    public bool IsFailure => State != HostState.Succeeded;
}

/// <summary>What a deploy or stop over hosts did, host by host in manifest order.</summary>
/// <param name="Hosts">One result per selected host.</param>
public sealed record HostsResult(IReadOnlyList<HostResult> Hosts)
{
    /// <summary>The run was cancelled: the hosts that were deploying stopped what they had started.</summary>
    public bool Interrupted { get; init; }

    /// <summary>Every host succeeded and the run was not interrupted.</summary>
    public bool Succeeded => !Interrupted && Hosts.All(h => h.State == HostState.Succeeded);
}
