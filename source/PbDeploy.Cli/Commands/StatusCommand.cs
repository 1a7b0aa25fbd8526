using System.CommandLine;
using PbDeploy.Cli.Output;
using PbDeploy.Status;

namespace PbDeploy.Cli.Commands;

/// <summary><c>pbdeploy status [SERVICE...] [--json]</c>: what runs for each service. Exit 0 whatever the states.</summary>
internal static class StatusCommand
{
    public static Command Create(Option<string?> manifestOption, CliConsole console)
    {
        var services = ServiceArgument.Create("Services to show (default: all)");
        var json = new Option<bool>("--json") { Description = "Print a JSON array, one object per service, in manifest order" };
        var command = new Command("status", "Show which services run, with their pids") { services, json };
        command.SetAction(parsed =>
        {
            var manifest = ManifestOption.Load(parsed.GetValue(manifestOption), console, machineOutput: parsed.GetValue(json));
            var selected = manifest.Select(parsed.GetValue(services) ?? []);
            var statuses = new StatusReader().Read(manifest, selected);
            if (parsed.GetValue(json))
            {
                StatusJson.Write(console.Writer, statuses);
            }
            else
            {
                StatusTable.Write(console, statuses);
            }

            foreach (var note in statuses.Where(s => s.Note is not null))
            {
                console.Warning($"{note.Name}: {note.Note}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
