namespace PbDeploy.Processes.Linux;

/// <summary>A TCP socket in state LISTEN: its port, its inode (what <c>/proc/PID/fd</c> links name) and the uid that owns it.</summary>
internal readonly record struct ListenSocket(int Port, ulong Inode, int Uid);
