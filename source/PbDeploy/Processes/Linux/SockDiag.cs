using System.Buffers.Binary;
using PbDeploy.Platform;

namespace PbDeploy.Processes.Linux;

/// <summary>
/// LISTEN sockets from the kernel through netlink sock_diag (inet_diag), with the port in the request so that the
/// kernel does the filtering: a quarter of a millisecond for both families, however busy the machine.
/// </summary>
internal static unsafe class SockDiag
{
    private const int Header = Libc.InetDiagLayout.NlmsghdrSize;
    private const int RequestLength = Header + Libc.InetDiagLayout.RequestSize;

    /// <summary>The LISTEN sockets on <paramref name="ports"/>, IPv4 and IPv6; null when netlink is not available here.</summary>
    /// <remarks>
    /// One port: one dump per family with the port in the request. Several: one dump per family with a bytecode
    /// filter matching any of the ports, since each dump walks the kernel's whole LISTEN table; a kernel that
    /// refuses the filter gets one dump per port.
    /// </remarks>
    public static List<ListenSocket>? Query(IReadOnlyCollection<int> ports)
    {
        var fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, Libc.NETLINK_SOCK_DIAG);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            if (ports.Count > 1 && QueryFiltered(fd, ports) is { } filtered)
            {
                return filtered;
            }

            var buffer = new byte[32768];
            var seq = 0;
            var wanted = ports.ToHashSet();
            var found = new List<ListenSocket>();
            foreach (var port in ports)
            {
                foreach (var family in (ReadOnlySpan<byte>)[Libc.AF_INET, Libc.AF_INET6])
                {
                    if (!Dump(fd, family, port, [], ++seq, buffer, wanted, found))
                    {
                        return null;
                    }
                }
            }

            return found;
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    /// <summary>The LISTEN sockets on <paramref name="ports"/> from one dump per family with a port filter; null when the kernel refuses the filter.</summary>
    internal static List<ListenSocket>? QueryFiltered(IReadOnlyCollection<int> ports)
    {
        var fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, Libc.NETLINK_SOCK_DIAG);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            return QueryFiltered(fd, ports);
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    private static List<ListenSocket>? QueryFiltered(int fd, IReadOnlyCollection<int> ports)
    {
        var buffer = new byte[32768];
        var filter = PortFilter(ports);
        var wanted = ports.ToHashSet();
        var found = new List<ListenSocket>();
        return Dump(fd, Libc.AF_INET, 0, filter, 1, buffer, wanted, found) && Dump(fd, Libc.AF_INET6, 0, filter, 2, buffer, wanted, found) ? found : null;
    }

    /// <summary>
    /// inet_diag bytecode accepting a socket whose source port is any of <paramref name="ports"/>: per port
    /// <c>{S_EQ, yes 8, no 12} {port} {JMP, yes 4, no: to the end, accept}</c>; the last port's <c>no</c> jumps past
    /// the end, which rejects. The kernel's audit follows the <c>yes</c> chain, so every <c>yes</c> falls through.
    /// </summary>
    internal static byte[] PortFilter(IReadOnlyCollection<int> ports)
    {
        var code = new byte[12 * ports.Count];
        var i = 0;
        foreach (var port in ports)
        {
            var block = code.AsSpan(12 * i);
            var last = i == ports.Count - 1;
            block[0] = Libc.INET_DIAG_BC_S_EQ;
            block[1] = 8;
            BinaryPrimitives.WriteUInt16LittleEndian(block[2..], (ushort)(last ? 16 : 12));
            BinaryPrimitives.WriteUInt16LittleEndian(block[6..], (ushort)port);
            block[8] = Libc.INET_DIAG_BC_JMP;
            block[9] = 4;
            BinaryPrimitives.WriteUInt16LittleEndian(block[10..], (ushort)(code.Length - (12 * i) - 8));
            i++;
        }

        return code;
    }

    private static bool Dump(int fd, byte family, int port, byte[] filter, int seq, byte[] buffer, HashSet<int> wanted, List<ListenSocket> found)
    {
        var length = RequestLength + (filter.Length > 0 ? 4 + filter.Length : 0);
        var bytes = new byte[length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], Libc.SOCK_DIAG_BY_FAMILY);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], Libc.NLM_F_REQUEST_DUMP);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], seq);
        span[Header] = family;
        span[Header + 1] = Libc.IPPROTO_TCP;
        BinaryPrimitives.WriteUInt32LittleEndian(span[(Header + Libc.InetDiagLayout.RequestStates)..], 1u << Libc.TCP_LISTEN);
        BinaryPrimitives.WriteUInt16BigEndian(span[(Header + Libc.InetDiagLayout.RequestSourcePort)..], (ushort)port);
        if (filter.Length > 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[RequestLength..], (ushort)(4 + filter.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(span[(RequestLength + 2)..], Libc.INET_DIAG_REQ_BYTECODE);
            filter.CopyTo(span[(RequestLength + 4)..]);
        }

        var address = stackalloc byte[Libc.InetDiagLayout.SockaddrNlSize];
        new Span<byte>(address, Libc.InetDiagLayout.SockaddrNlSize).Clear();
        address[0] = Libc.AF_NETLINK;

        fixed (byte* request = bytes)
        {
            if (Libc.sendto(fd, request, (nuint)length, 0, address, Libc.InetDiagLayout.SockaddrNlSize) < 0)
            {
                return false;
            }
        }

        fixed (byte* buf = buffer)
        {
            while (true)
            {
                var n = Libc.recv(fd, buf, (nuint)buffer.Length, 0);
                if (n < 0)
                {
                    if (Libc.LastError == Libc.EINTR)
                    {
                        continue;
                    }

                    return false;
                }

                var data = new ReadOnlySpan<byte>(buf, (int)n);
                while (data.Length >= Header)
                {
                    var messageLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
                    var type = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
                    if (messageLength < Header || messageLength > data.Length)
                    {
                        return false;
                    }

                    if (type == Libc.NLMSG_DONE)
                    {
                        return true;
                    }

                    if (type == Libc.NLMSG_ERROR)
                    {
                        return false;
                    }

                    var message = data[Header..messageLength];
                    if (message.Length >= Libc.InetDiagLayout.MessageSize && message[Libc.InetDiagLayout.MessageState] == Libc.TCP_LISTEN)
                    {
                        var sport = BinaryPrimitives.ReadUInt16BigEndian(message[Libc.InetDiagLayout.MessageSourcePort..]);
                        if (wanted.Contains(sport))
                        {
                            var uid = (int)BinaryPrimitives.ReadUInt32LittleEndian(message[Libc.InetDiagLayout.MessageUid..]);
                            var inode = BinaryPrimitives.ReadUInt32LittleEndian(message[Libc.InetDiagLayout.MessageInode..]);
                            found.Add(new ListenSocket(sport, inode, uid));
                        }
                    }

                    data = data[Math.Min((messageLength + 3) & ~3, data.Length)..];
                }
            }
        }
    }
}
