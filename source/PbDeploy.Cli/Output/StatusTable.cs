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
            _ = table.AddRow(
                status.Name,
                status.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? status.Pidfile ?? "",
                State(status.State),
                status.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                status.Pids.Count > 0 ? string.Join(' ', status.Pids) : "-");
        }

        console.Table(table);
    }

    private static Styled State(ServiceState state) => state switch
    {
        ServiceState.Running => new Styled("running", TextStyle.Green),
        ServiceState.Stopped => new Styled("stopped", TextStyle.Grey),
        ServiceState.Foreign => new Styled("foreign", TextStyle.Yellow),
        _ => state.ToString(),
    };
}
