using System.CommandLine;
using PbDeploy.Cli.Output;
using PbDeploy.Deployment;

namespace PbDeploy.Cli.Commands;

/// <summary><c>pbdeploy [deploy] [SERVICE...] [--quick] [--no-deps] [-q|-v]</c> and <c>pbdeploy stop [SERVICE...] [-q|-v]</c>.</summary>
internal static class DeployCommands
{
    /// <summary><c>-q/--quiet</c> and <c>-v/--verbose</c>, refused together.</summary>
    private sealed record VerbosityOptions(Option<bool> Quiet, Option<bool> Verbose)
    {
        public static VerbosityOptions AddTo(Command command)
        {
            var options = new VerbosityOptions(
                new Option<bool>("--quiet", "-q") { Description = "Print only failures, warnings and the closing line" },
                new Option<bool>("--verbose", "-v") { Description = "Also print every command with its exit and duration, each wait, and a table of every step" });
            command.Options.Add(options.Quiet);
            command.Options.Add(options.Verbose);
            command.Validators.Add(result =>
            {
                if (result.GetValue(options.Quiet) && result.GetValue(options.Verbose))
                {
                    result.AddError("--quiet and --verbose cannot be used together");
                }
            });
            return options;
        }

        public Verbosity Of(ParseResult parsed) =>
            parsed.GetValue(Quiet) ? Verbosity.Quiet : parsed.GetValue(Verbose) ? Verbosity.Verbose : Verbosity.Normal;
    }

    public static Option<double> LockTimeoutOption()
    {
        return new Option<double>("--lock-timeout")
        {
            Description = "Seconds to wait for another deploy of the same project to finish",
            DefaultValueFactory = _ => 600,
            // Parsed here, not by System.CommandLine's converter: a bad value is then one usage line (exit 2), never
            // an exception thrown when a validator or the action reads the value.
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                    && double.IsFinite(seconds) && seconds is >= 0 and <= 86_400)
                {
                    return seconds;
                }

                result.AddError($"--lock-timeout must be a number of seconds from 0 to 86400, got '{text}'");
                return 0;
            },
        };
    }

    /// <summary>Adds the deploy arguments and action to <paramref name="command"/> (the root command, and <c>deploy</c>).</summary>
    public static void AddDeploy(Command command, Option<string?> manifestOption, CliConsole console)
    {
        var services = ServiceArgument.Create("Services to deploy, with the services they depend on (default: all)");
        var quick = new Option<bool>("--quick") { Description = "Skip the before and after commands" };
        var noDeps = new Option<bool>("--no-deps") { Description = "Deploy only the services named, not the services they depend on" };
        var lockTimeout = LockTimeoutOption();
        command.Arguments.Add(services);
        command.Options.Add(quick);
        command.Options.Add(noDeps);
        command.Options.Add(lockTimeout);
        var verbosity = VerbosityOptions.AddTo(command);
        command.SetAction((parsed, cancellationToken) => RunAsync(console, parsed.GetValue(manifestOption), new DeployOptions
        {
            Services = parsed.GetValue(services) ?? [],
            Quick = parsed.GetValue(quick),
            NoDependencies = parsed.GetValue(noDeps),
            LockTimeout = TimeSpan.FromSeconds(parsed.GetValue(lockTimeout)),
        }, stop: false, verbosity.Of(parsed), cancellationToken));
    }

    public static Command Stop(Option<string?> manifestOption, CliConsole console)
    {
        var services = ServiceArgument.Create("Services to stop (default: all); the services they depend on keep running");
        var lockTimeout = LockTimeoutOption();
        var command = new Command("stop", "Stop the services: their stop command, or SIGTERM, then SIGKILL after stop_timeout") { services, lockTimeout };
        var verbosity = VerbosityOptions.AddTo(command);
        command.SetAction((parsed, cancellationToken) => RunAsync(console, parsed.GetValue(manifestOption), new DeployOptions
        {
            Services = parsed.GetValue(services) ?? [],
            LockTimeout = TimeSpan.FromSeconds(parsed.GetValue(lockTimeout)),
        }, stop: true, verbosity.Of(parsed), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliConsole console, string? manifestPath, DeployOptions options, bool stop, Verbosity verbosity, CancellationToken cancellationToken)
    {
        var manifest = ManifestOption.Load(manifestPath, console, quiet: verbosity == Verbosity.Quiet);
        var reporter = new DeployReporter(console, manifest, verbosity);
        var deployer = new Deployer(manifest, reporter.OnEvent);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var what = stop ? "stop" : "deploy";
        DeployResult result;
        try
        {
            result = await reporter.RunAsync(stop ? "Stopping" : "Deploying", () => stop
                ? deployer.StopAsync(options, cancellationToken)
                : deployer.DeployAsync(options, cancellationToken));
        }
        catch (OperationCanceledException)
        {
            console.Error("interrupted while waiting for the deploy lock: nothing was done.");
            return ExitCodes.ServiceFailed;
        }

        reporter.Summary(what, result, clock.Elapsed);
        if (result.Interrupted)
        {
            console.Error("interrupted: the steps that were running were stopped and nothing more was run; the lines above say what was done. Run pbdeploy status to see what runs.");
            return ExitCodes.ServiceFailed;
        }

        if (result.Succeeded)
        {
            return ExitCodes.Success;
        }

        console.Error(reporter.FailureLine(what, result, clock.Elapsed));
        return ExitCodes.ServiceFailed;
    }
}
