using System.CommandLine;
using PbDeploy.Cli.Commands;
using PbDeploy.Deployment;

namespace PbDeploy.Cli;

/// <summary>The command line: parses, runs one command, and turns failures into one line and an exit code.</summary>
internal static class App
{
    /// <summary>The commands under the root, in the order <c>--help</c> lists them.</summary>
    private static readonly string[] CommandNames = ["deploy", "stop", "status", "render", "check", "import", "schema", "hook"];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is ["--version"])
        {
            // Exactly what System.CommandLine's --version prints, without building the command tree, registering the
            // signal handlers or reading the manifest: scripts call it to check the tool, and it should cost no more
            // than the process start (docs/benchmarks.md).
            stdout.WriteLine(Version);
            return ExitCodes.Success;
        }

        var console = new CliConsole(stdout, stderr);
        var manifest = PathValue.NonEmpty(
            new Option<string?>("--manifest", "-m")
            {
                Description = "The manifest to use (default: pbdeploy.json in this folder or the nearest parent)",
                Recursive = true,
            },
            "--manifest");

        // A run that names its command first (pbdeploy status ...) parses only within that command, where the other
        // commands are not valid tokens anyway: only that one is built. Anything else (help, an error, the default
        // deploy, an option first) gets the whole tree.
        var only = args.Length > 0 && CommandNames.Contains(args[0], StringComparer.Ordinal) ? args[0] : null;
        var root = new RootCommand("pbdeploy: port-based deploy. Starts, restarts and stops the services of pbdeploy.json.");
        foreach (var name in CommandNames.Where(n => only is null || n == only))
        {
            root.Subcommands.Add(CreateCommand(name, manifest, console));
        }

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

    /// <summary>
    /// What <c>--version</c> prints: System.CommandLine's choice, the informational version (with the commit), as the
    /// build wrote it into a constant (BuildInfo.g.cs, see the csproj): no reflection at start-up.
    /// </summary>
    internal static string Version => BuildInfo.InformationalVersion;

    private static Command CreateCommand(string name, Option<string?> manifest, CliConsole console)
    {
        switch (name)
        {
            case "deploy":
                var deploy = new Command("deploy", "Start each stopped service, restart each running one (the default command)");
                DeployCommands.AddDeploy(deploy, manifest, console);
                return deploy;
            case "stop":
                return DeployCommands.Stop(manifest, console);
            case "status":
                return StatusCommand.Create(manifest, console);
            case "render":
                return RenderCommand.Create(manifest, console);
            case "check":
                return CheckCommand.Create(manifest, console);
            case "import":
                return ImportCommand.Create(console);
            case "schema":
                return SchemaCommand.Create(console);
            case "hook":
                return HookCommand.Create(console);
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }
}
