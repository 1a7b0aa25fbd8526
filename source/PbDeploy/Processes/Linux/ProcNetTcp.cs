using System.Globalization;

namespace PbDeploy.Processes.Linux;

/// <summary>
/// LISTEN sockets from <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c>: the fallback where netlink is not available.
/// It walks the kernel's whole socket table, so it costs milliseconds where netlink costs microseconds.
/// </summary>
internal static class ProcNetTcp
{
    public static List<ListenSocket> Query(IReadOnlyCollection<int> ports, string procRoot = "/proc")
    {
        var found = new List<ListenSocket>();
        foreach (var file in (string[])["net/tcp", "net/tcp6"])
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(procRoot, file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            Parse(text, ports, found);
        }

        return found;
    }

    /// <summary>Rows are <c>sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...</c>.</summary>
    internal static void Parse(string text, IReadOnlyCollection<int> ports, List<ListenSocket> found)
    {
        Span<Range> fields = stackalloc Range[11];
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var row = line.Trim();
            var count = row.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
            if (count < 10 || !row[fields[3]].SequenceEqual("0A"))
            {
                continue;
            }

            var local = row[fields[1]];
            var colon = local.LastIndexOf(':');
            if (colon < 0
                || !int.TryParse(local[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)
                || !ports.Contains(port)
                || !int.TryParse(row[fields[7]], CultureInfo.InvariantCulture, out var uid)
                || !ulong.TryParse(row[fields[9]], CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }

            found.Add(new ListenSocket(port, inode, uid));
        }
    }
}
