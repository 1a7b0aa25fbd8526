using System.CommandLine;
using PbDeploy.Cli.Commands;
using PbDeploy.Deployment;

namespace PbDeploy.Cli;

/// <summary>The command line: parses, runs one command, and turns failures into one line and an exit code.</summary>
internal static class App
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var console = new CliConsole(stdout, stderr);
        var manifest = PathValue.NonEmpty(
            new Option<string?>("--manifest", "-m")
            {
                Description = "The manifest to use (default: pbdeploy.json in this folder or the nearest parent)",
                Recursive = true,
            },
            "--manifest");

        var deploy = new Command("deploy", "Start each stopped service, restart each running one (the default command)");
        DeployCommands.AddDeploy(deploy, manifest, console);
        var root = new RootCommand("pbdeploy: port-based deploy. Starts, restarts and stops the services of pbdeploy.json.")
        {
            deploy,
            DeployCommands.Stop(manifest, console),
            StatusCommand.Create(manifest, console),
            RenderCommand.Create(manifest, console),
            ImportCommand.Create(console),
        };
        root.Options.Add(manifest);
        DeployCommands.AddDeploy(root, manifest, console);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                console.Error($"{error.Message} (see pbdeploy --help)");
            }

            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                // Ctrl-C or SIGTERM cancels the run; leave time to stop the commands and half-started services it was running.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(15),
            });
        }
        catch (DeployLockedException e)
        {
            console.Error(e.Message);
            return ExitCodes.ServiceFailed;
        }
        catch (PbDeployException e)
        {
            console.Error(e.Message);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stderr.WriteLine($"pbdeploy: internal error, a bug: please report it with this trace.\n{e}");
            return ExitCodes.ServiceFailed;
        }
    }
}
