using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PbDeploy.Processes;

/// <summary>
/// Port owners through <c>lsof -nP -iTCP:PORTS -sTCP:LISTEN -FpRn</c>, for systems without <c>/proc</c> (macOS).
/// lsof cannot tell an invisible holder from none, so a port it finds no holder for is probed on loopback: one that
/// accepts a connection is foreign, never stopped.
/// </summary>
internal static class LsofResolver
{
    public static Dictionary<int, PortOwner> Resolve(List<int> ports)
    {
        var holders = ports.ToDictionary(p => p, _ => new Dictionary<int, int>()); // port -> pid -> ppid
        var output = RunLsof(ports);
        int pid = 0, ppid = 0;
        foreach (var line in output.Split('\n'))
        {
            if (line.Length < 2)
            {
                continue;
            }

            var value = line[1..];
            switch (line[0])
            {
                case 'p': pid = int.Parse(value, CultureInfo.InvariantCulture); ppid = 0; break;
                case 'R': ppid = int.Parse(value, CultureInfo.InvariantCulture); break;
                case 'n' when pid > 0:
                    var colon = value.LastIndexOf(':');
                    if (colon >= 0 && int.TryParse(value[(colon + 1)..], CultureInfo.InvariantCulture, out var port) && holders.TryGetValue(port, out var set))
                    {
                        set[pid] = ppid;
                    }

                    break;
                default: break;
            }
        }

        var result = new Dictionary<int, PortOwner>();
        foreach (var (port, set) in holders)
        {
            if (set.Count > 0)
            {
                var master = set.Where(h => !set.ContainsKey(h.Value)).Select(h => h.Key).Order().First();
                result[port] = new PortOwner(port, ServiceState.Running, master, [.. set.Keys.Order()], null);
            }
            else
            {
                result[port] = AcceptsConnections(port) ? new PortOwner(port, ServiceState.Foreign, null, [], null) : PortOwner.Stopped(port);
            }
        }

        return result;
    }

    private static string RunLsof(List<int> ports)
    {
        var request = new ProgramRequest("lsof", ["-nP", $"-iTCP:{string.Join(',', ports)}", "-sTCP:LISTEN", "-FpRn"], "/", ProgramRun.CurrentEnvironment())
        {
            SeparateError = true, // its warnings (an unreadable mount, say) are not records
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (ProgramRun.Resolve(request.Program) is null)
        {
            throw new EnvironmentException($"cannot run lsof to find the processes listening on ports {string.Join(", ", ports)}: it is not on PATH; install lsof.");
        }

        var run = ProgramRun.RunAsync(request, CancellationToken.None).GetAwaiter().GetResult();
        return run.TimedOut
            ? throw new EnvironmentException($"lsof did not answer within 30 s for ports {string.Join(", ", ports)} and was stopped; a hung network mount can do that: run lsof -nP -iTCP -sTCP:LISTEN to see.")
            : run.Output; // exit code 1 means "nothing found"
    }

    private static bool AcceptsConnections(int port)
    {
        foreach (var address in (IPAddress[])[IPAddress.Loopback, IPAddress.IPv6Loopback])
        {
            try
            {
                using var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (client.ConnectAsync(address, port).Wait(TimeSpan.FromMilliseconds(500)))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is SocketException or AggregateException)
            {
                // refused or unreachable: nothing listens there
            }
        }

        return false;
    }
}
