using System.CommandLine;
using PbDeploy.Deployment;

namespace PbDeploy.Cli.Commands;

/// <summary>
/// <c>pbdeploy check</c>: loads the manifest and renders every template in memory, as a deploy would, writing and
/// starting nothing. The git pre-receive hook (<c>pbdeploy hook install</c>) runs it on the pushed commit.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(Option<string?> manifestOption, CliConsole console)
    {
        var command = new Command("check", "Check the manifest and render its templates in memory; nothing is written or started");
        command.SetAction(parsed =>
        {
            var manifest = ManifestOption.Load(parsed.GetValue(manifestOption), console);
            var templates = TemplateCheck.Check(manifest, manifest.Services);
            var services = manifest.Services.Count;
            console.Writer.WriteLine(
                $"ok: {services} {(services == 1 ? "service" : "services")}, {templates} {(templates == 1 ? "template" : "templates")} rendered; nothing written or started");
            return ExitCodes.Success;
        });
        return command;
    }
}
