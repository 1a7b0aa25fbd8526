using System.CommandLine;

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
            _ = ManifestOption.Load(parsed.GetValue(manifestOption), console);
            return ExitCodes.Success;
        });
        return command;
    }
}
