using System.CommandLine;
using PbDeploy.Import;
using PbDeploy.Manifest;

namespace PbDeploy.Cli.Commands;

/// <summary>
/// <c>pbdeploy import [SETTINGS] [-o OUTPUT] [--force]</c>: converts the Python tool's <c>settings_deploy.py</c> to
/// <c>pbdeploy.json</c> and lists what changed meaning on the way.
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliConsole console)
    {
        var settings = PathValue.NonEmpty(
            new Argument<string?>("settings")
            {
                Arity = ArgumentArity.ZeroOrOne,
                Description = $"The Python tool's settings file (default: {PythonSettingsImporter.SettingsFileName} in this folder)",
            },
            "the settings file");
        var output = PathValue.NonEmpty(
            new Option<string?>("--output", "-o") { Description = $"The manifest to write (default: {ManifestLoader.FileName} beside the settings file)" },
            "--output");
        var force = new Option<bool>("--force", "-f") { Description = "Replace the output file if it exists" };
        var command = new Command("import", $"Convert pbdeploy 1.2's {PythonSettingsImporter.SettingsFileName} to {ManifestLoader.FileName} (runs it with python3)")
        {
            settings, output, force,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            console, parsed.GetValue(settings), parsed.GetValue(output), parsed.GetValue(force), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string? settingsArgument, string? outputArgument, bool force, CancellationToken cancellationToken)
    {
        var settings = Path.GetFullPath(settingsArgument ?? PythonSettingsImporter.SettingsFileName);
        if (settingsArgument is null && !File.Exists(settings))
        {
            throw new InputException(
                $"no {PythonSettingsImporter.SettingsFileName} in {Environment.CurrentDirectory}; run pbdeploy import in its folder or pass its path: pbdeploy import PATH/{PythonSettingsImporter.SettingsFileName}");
        }

        var output = Path.GetFullPath(outputArgument ?? Path.Combine(Path.GetDirectoryName(settings)!, ManifestLoader.FileName));
        if (!force && File.Exists(output))
        {
            throw new InputException($"{output} already exists; pass --force to replace it, or -o PATH to write elsewhere");
        }

        var result = await new PythonSettingsImporter().ImportAsync(settings, output, cancellationToken);
        result.WriteTo(output, overwrite: force);

        var services = result.Manifest.Services;
        console.Writer.WriteLine($"wrote {output}: {services.Count} {(services.Count == 1 ? "service" : "services")} ({string.Join(", ", services.Select(s => s.Name))})");
        if (result.Notes.Count > 0)
        {
            console.Writer.WriteLine("What changed meaning (check each; see docs/migrating-from-pbdeploy.md):");
            foreach (var note in result.Notes)
            {
                console.Writer.WriteLine($"  - {note}");
            }
        }

        return ExitCodes.Success;
    }
}
