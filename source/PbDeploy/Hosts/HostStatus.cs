using PbDeploy.Status;

namespace PbDeploy.Hosts;

/// <summary>What runs on one host, as its <c>pbdeploy status --json</c> says, or why it could not say.</summary>
/// <param name="Host">The host's name.</param>
/// <param name="Services">The services' states, in manifest order; empty when <see cref="Error"/> is set.</param>
public sealed record HostStatus(string Host, IReadOnlyList<ServiceStatus> Services)
{
    /// <summary>Why there is no status: ssh's message (<see cref="Unreachable"/>) or the remote pbdeploy's error line.</summary>
    public string? Error { get; init; }

    /// <summary>ssh could not connect.</summary>
    public bool Unreachable { get; init; }
}
