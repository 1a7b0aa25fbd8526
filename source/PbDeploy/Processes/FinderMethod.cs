namespace PbDeploy.Processes;

/// <summary>How to find the process listening on a port.</summary>
public enum FinderMethod
{
    /// <summary>Netlink sock_diag and <c>/proc</c> where there is a <c>/proc</c>, else <c>lsof</c>.</summary>
    Auto,

    /// <summary>Netlink sock_diag for the socket, <c>/proc/*/fd</c> for its holders (Linux).</summary>
    Netlink,

    /// <summary><c>/proc/net/tcp{,6}</c> for the socket, <c>/proc/*/fd</c> for its holders (Linux without sock_diag).</summary>
    ProcNet,

    /// <summary><c>lsof -nP -iTCP:PORT -sTCP:LISTEN</c> (macOS and other systems without <c>/proc</c>).</summary>
    Lsof,
}
