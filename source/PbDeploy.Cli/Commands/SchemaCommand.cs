using System.CommandLine;

namespace PbDeploy.Cli.Commands;

/// <summary>
/// <c>pbdeploy schema</c>: prints <c>pbdeploy.schema.json</c>, the JSON Schema of the manifest, for editors. The file is
/// embedded in the tool as it is in the repository and read only here, so no other command pays for it.
/// </summary>
internal static class SchemaCommand
{
    /// <summary>The embedded resource's name (its LogicalName in the csproj).</summary>
    internal const string ResourceName = "pbdeploy.schema.json";

    public static Command Create(CliConsole console)
    {
        var command = new Command(
            "schema",
            "Print the JSON Schema of pbdeploy.json (for editors: pbdeploy schema > pbdeploy.schema.json)");
        command.SetAction(_ =>
        {
            console.Writer.Write(Text());
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The schema's text, exactly as the file holds it (UTF-8, ending in a newline).</summary>
    internal static string Text()
    {
        using var stream = typeof(SchemaCommand).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the resource {ResourceName} is missing from the tool; the build did not embed it");
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        return reader.ReadToEnd();
    }
}
