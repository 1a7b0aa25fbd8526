using System.CommandLine;
using PbDeploy.Deployment;

namespace PbDeploy.Cli.Commands;

/// <summary><c>pbdeploy render [SERVICE...]</c>: writes the services' templates as a deploy would, and nothing else.</summary>
internal static class RenderCommand
{
    public static Command Create(Option<string?> manifestOption, CliConsole console)
    {
        var services = ServiceArgument.Create("Services whose templates to render (default: all)");
        var command = new Command("render", "Render the services' templates to their config files, as a deploy would") { services };
        command.SetAction(parsed =>
        {
            var manifest = ManifestOption.Load(parsed.GetValue(manifestOption), console);
            var selected = manifest.Select(parsed.GetValue(services) ?? []);
            var rendered = TemplateRun.Render(manifest, selected);
            foreach (var service in rendered)
            {
                foreach (var file in service.Files)
                {
                    var target = Path.GetRelativePath(manifest.ProjectDir, file.Target);
                    console.Writer.WriteLine($"{service.Service}: {target} {(file.Changed ? "written" : "unchanged")}");
                }
            }

            if (rendered.Count == 0)
            {
                console.Writer.WriteLine("no templates to render");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
