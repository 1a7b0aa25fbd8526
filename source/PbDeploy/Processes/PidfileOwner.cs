using PbDeploy.Status;

namespace PbDeploy.Processes;

/// <summary>What a pidfile says, checked against the running processes.</summary>
/// <param name="State">Running when the pid is alive, not a zombie, and started before the pidfile was written; else stopped.</param>
/// <param name="Pid">The live pid, or null.</param>
/// <param name="Warning">Why a pidfile that exists was not believed (garbage, a dead or reused pid), or null.</param>
public sealed record PidfileOwner(ServiceState State, int? Pid, string? Warning);
