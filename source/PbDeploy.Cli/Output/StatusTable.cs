using PbDeploy.Hosts;
using PbDeploy.Processes;
using PbDeploy.Status;

namespace PbDeploy.Cli.Output;

/// <summary><c>status</c> for people: a table with a row per service.</summary>
internal static class StatusTable
{
    public static void Write(CliConsole console, IReadOnlyList<ServiceStatus> statuses)
    {
        var table = new TextTable("service", "port / pidfile", "state", "pid", "pids");
        foreach (var status in statuses)
        {
            _ = table.AddRow(Cells(status));
        }

        console.Table(table);
    }

    /// <summary>Over hosts: a host column first; a host that could not say is one row with its state (unreachable, error).</summary>
    public static void WriteHosts(CliConsole console, IReadOnlyList<HostStatus> hosts)
    {
        var table = new TextTable("host", "service", "port / pidfile", "state", "pid", "pids");
        foreach (var host in hosts)
        {
            if (host.Error is not null)
            {
                _ = table.AddRow(host.Host, "-", "-", new Styled(host.Unreachable ? "unreachable" : "error", TextStyle.Red), "-", "-");
                continue;
            }

            foreach (var status in host.Services)
            {
                _ = table.AddRow([host.Host, .. Cells(status)]);
            }
        }

        console.Table(table);
    }

    /// <summary>A service's cells: name, port (the active one of a blue-green service) or pidfile, state, pid, pids.</summary>
    private static Styled[] Cells(ServiceStatus status) =>
    [
        status.Name,
        status.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? status.Pidfile ?? "",
        State(status.State),
        status.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
        status.Pids.Count > 0 ? string.Join(' ', status.Pids) : "-",
    ];

    private static Styled State(ServiceState state) => state switch
    {
        ServiceState.Running => new Styled("running", TextStyle.Green),
        ServiceState.Stopped => new Styled("stopped", TextStyle.Grey),
        ServiceState.Foreign => new Styled("foreign", TextStyle.Yellow),
        _ => state.ToString(),
    };
}
