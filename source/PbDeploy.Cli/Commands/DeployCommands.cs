using System.CommandLine;
using PbDeploy.Cli.Output;
using PbDeploy.Deployment;

namespace PbDeploy.Cli.Commands;

/// <summary><c>pbdeploy [deploy] [SERVICE...] [--quick] [--no-deps]</c> and <c>pbdeploy stop [SERVICE...]</c>.</summary>
internal static class DeployCommands
{
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
        var quick = new Option<bool>("--quick", "-q") { Description = "Skip the before and after commands" };
        var noDeps = new Option<bool>("--no-deps") { Description = "Deploy only the services named, not the services they depend on" };
        var lockTimeout = LockTimeoutOption();
        command.Arguments.Add(services);
        command.Options.Add(quick);
        command.Options.Add(noDeps);
        command.Options.Add(lockTimeout);
        command.SetAction((parsed, cancellationToken) => RunAsync(console, parsed.GetValue(manifestOption), new DeployOptions
        {
            Services = parsed.GetValue(services) ?? [],
            Quick = parsed.GetValue(quick),
            NoDependencies = parsed.GetValue(noDeps),
            LockTimeout = TimeSpan.FromSeconds(parsed.GetValue(lockTimeout)),
        }, stop: false, cancellationToken));
    }

    public static Command Stop(Option<string?> manifestOption, CliConsole console)
    {
        var services = ServiceArgument.Create("Services to stop (default: all); the services they depend on keep running");
        var lockTimeout = LockTimeoutOption();
        var command = new Command("stop", "Stop the services: their stop command, or SIGTERM, then SIGKILL after stop_timeout") { services, lockTimeout };
        command.SetAction((parsed, cancellationToken) => RunAsync(console, parsed.GetValue(manifestOption), new DeployOptions
        {
            Services = parsed.GetValue(services) ?? [],
            LockTimeout = TimeSpan.FromSeconds(parsed.GetValue(lockTimeout)),
        }, stop: true, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string? manifestPath, DeployOptions options, bool stop, CancellationToken cancellationToken)
    {
        var manifest = ManifestOption.Load(manifestPath, console);
        var reporter = new DeployReporter(console);
        var deployer = new Deployer(manifest, reporter.OnEvent);
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

        reporter.Summary(result);
        if (result.Interrupted)
        {
            console.Error("interrupted: the steps that were running were stopped and nothing more was run; the table above says what was done. Run pbdeploy status to see what runs.");
            return ExitCodes.ServiceFailed;
        }

        if (result.Succeeded)
        {
            return ExitCodes.Success;
        }

        console.Error($"{string.Join(", ", result.Failures.Select(f => f.Service).Distinct())}: failed; see above.");
        return ExitCodes.ServiceFailed;
    }
}
