namespace PbDeploy.Processes;

/// <summary>A finished shell command.</summary>
/// <param name="Command">The command as run.</param>
/// <param name="Exit">How it ended.</param>
/// <param name="Output">Its stdout and stderr, interleaved as written (the last 256 KiB).</param>
/// <param name="Duration">How long it ran.</param>
public sealed record CommandResult(string Command, ExitStatus Exit, string Output, TimeSpan Duration);
