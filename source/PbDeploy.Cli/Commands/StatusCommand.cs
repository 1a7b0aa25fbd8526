using System.CommandLine;
using PbDeploy.Cli.Output;
using PbDeploy.Deployment;
using PbDeploy.Hosts;
using PbDeploy.Status;

namespace PbDeploy.Cli.Commands;

/// <summary>
/// <c>pbdeploy status [SERVICE...] [--json] [--hosts NAME,...|--local]</c>: what runs for each service. Exit 0 whatever
/// the states; over hosts, 1 when a host could not say (unreachable, or its pbdeploy failed).
/// </summary>
internal static class StatusCommand
{
    public static Command Create(Option<string?> manifestOption, CliConsole console)
    {
        var services = ServiceArgument.Create("Services to show (default: all)");
        var json = new Option<bool>("--json") { Description = "Print a JSON array, one object per service, in manifest order" };
        var command = new Command("status", "Show which services run, with their pids") { services, json };
        var where = DeployCommands.WhereOptions.AddTo(command, deployOrStop: false);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var manifest = ManifestOption.Load(parsed.GetValue(manifestOption), console, machineOutput: parsed.GetValue(json));
            var at = where.Of(parsed);
            if (at.OverHosts(manifest))
            {
                return await OnHostsAsync(console, manifest, parsed.GetValue(services) ?? [], at.Hosts ?? [], parsed.GetValue(json), cancellationToken);
            }

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

    private static async Task<int> OnHostsAsync(
        CliConsole console, Manifest.DeployManifest manifest, string[] services, string[] hosts, bool json, CancellationToken cancellationToken)
    {
        var runner = new HostDeployer(manifest);
        var statuses = await runner.StatusAsync(
            new HostRunOptions { Deploy = new DeployOptions { Services = services }, Hosts = hosts }, cancellationToken);
        if (json)
        {
            StatusJson.WriteHosts(console.Writer, statuses);
        }
        else
        {
            StatusTable.WriteHosts(console, statuses);
        }

        foreach (var host in statuses)
        {
            if (host.Error is { } error)
            {
                console.Error($"{host.Host}: {error}");
            }

            foreach (var note in host.Services.Where(s => s.Note is not null))
            {
                console.Warning($"{host.Host}: {note.Name}: {note.Note}");
            }
        }

        return statuses.Any(s => s.Error is not null) ? ExitCodes.ServiceFailed : ExitCodes.Success;
    }
}
