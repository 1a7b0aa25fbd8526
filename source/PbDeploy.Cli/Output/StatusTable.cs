using PbDeploy.Processes;
using PbDeploy.Status;
using Spectre.Console;

namespace PbDeploy.Cli.Output;

/// <summary><c>status</c> for people: a table with a row per service.</summary>
internal static class StatusTable
{
    public static void Write(CliConsole console, IReadOnlyList<ServiceStatus> statuses)
    {
        var table = new Table().AddColumns("service", "port / pidfile", "state", "pid", "pids");
        if (!console.IsTerminal)
        {
            table.Border(TableBorder.Ascii);
        }

        foreach (var status in statuses)
        {
            _ = table.AddRow(
                Markup.Escape(status.Name),
                Markup.Escape(status.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? status.Pidfile ?? ""),
                State(status.State),
                status.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                status.Pids.Count > 0 ? string.Join(' ', status.Pids) : "-");
        }

        console.Out.Write(table);
    }

    private static string State(ServiceState state) => state switch
    {
        ServiceState.Running => "[green]running[/]",
        ServiceState.Stopped => "[grey]stopped[/]",
        ServiceState.Foreign => "[yellow]foreign[/]",
        _ => state.ToString(),
    };
}
