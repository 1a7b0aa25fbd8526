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

        using var interruption = new Interruption(console);
        try
        {
            var invocation = parsed.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = stdout,
                    Error = stderr,
                    EnableDefaultExceptionHandler = false,
                    // Signals are ours (Interruption): SIGHUP must stop a run as SIGINT and SIGTERM do.
                    ProcessTerminationTimeout = null,
                },
                interruption.Token);
            // Once a signal came, the run has this long to stop what it runs (as the Cake addin's); then pbdeploy exits anyway.
            var grace = interruption.Signalled.ContinueWith(_ => Task.Delay(TimeSpan.FromSeconds(15)), TaskScheduler.Default).Unwrap();
            if (await Task.WhenAny(invocation, grace) != invocation)
            {
                console.Error($"interrupted by {interruption.Signal}: what runs did not stop within 15 s; run pbdeploy status to see what runs.");
                return ExitCodes.ServiceFailed;
            }

            var code = await invocation;
            if (interruption.Signal is { } signal && code == ExitCodes.Success)
            {
                console.Error($"interrupted by {signal} as the command finished its work; run it again to be sure of its result.");
                return ExitCodes.ServiceFailed;
            }

            return code;
        }
        catch (OperationCanceledException) when (interruption.Signal is { } signal)
        {
            console.Error($"interrupted by {signal}: what was running was stopped and nothing more was done.");
            return ExitCodes.ServiceFailed;
        }
        catch (InputException e)
        {
            console.Error(e.Message);
            return ExitCodes.Usage; // nothing was done
        }
        catch (PbDeployException e)
        {
            console.Error(e.Message);
            return ExitCodes.ServiceFailed; // the machine lacks or refuses something, or a service failed
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error(EnvironmentException.FromIo("a file could not be read or written", e).Message);
            return ExitCodes.ServiceFailed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stderr.WriteLine($"pbdeploy: internal error, a bug: please report it with this trace.\n{e}");
            return ExitCodes.ServiceFailed;
        }
    }
}
