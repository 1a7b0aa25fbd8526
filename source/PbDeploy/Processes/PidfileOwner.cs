
namespace PbDeploy.Processes;

/// <summary>What a pidfile says, checked against the running processes.</summary>
/// <param name="State">Running when the pid is alive, not a zombie, and started before the pidfile was written; foreign when
/// it names a process pbdeploy never signals (init, itself, an ancestor, a kernel thread); else stopped.</param>
/// <param name="Pid">The live pid (for foreign: the refused one), or null.</param>
/// <param name="Warning">Why a pidfile that exists was not believed (garbage, a dead or reused pid) or is refused, or null.</param>
internal sealed record PidfileOwner(ServiceState State, int? Pid, string? Warning);
