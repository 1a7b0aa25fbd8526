using System.CommandLine;
using PbDeploy.Cli.Output;
using PbDeploy.Deployment;
using PbDeploy.Hosts;

namespace PbDeploy.Cli.Commands;

/// <summary>
/// <c>pbdeploy [deploy] [SERVICE...] [--quick] [--no-deps] [-q|-v]</c> and <c>pbdeploy stop [SERVICE...] [-q|-v]</c>,
/// on this machine, or on the manifest's hosts over ssh (<c>--hosts</c>, <c>--local</c>, <c>--sync</c>).
/// </summary>
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

    /// <summary>Where a command acts: <c>--hosts NAME,...</c>, <c>--local</c>, and for deploy and stop <c>--sync</c>, <c>--events json</c>.</summary>
    internal sealed record WhereOptions(Option<string[]> Hosts, Option<bool> Local, Option<bool>? Sync, Option<string?>? Events, Option<bool>? StdinEof)
    {
        public static WhereOptions AddTo(Command command, bool deployOrStop)
        {
            var options = new WhereOptions(
                new Option<string[]>("--hosts")
                {
                    Description = "Act on these hosts of the manifest (comma-separated names; default: every host)",
                    CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                },
                new Option<bool>("--local") { Description = "Act on this machine only, even where the manifest has hosts (what runs on each host)" },
                deployOrStop ? new Option<bool>("--sync") { Description = "First copy the project folder to each host's dir (rsync -a --delete over ssh)" } : null,
                deployOrStop ? new Option<string?>("--events") { Description = "Print the events as JSON Lines on stdout (json), for a program to read" } : null,
                deployOrStop ? new Option<bool>("--stdin-eof-interrupts") { Hidden = true } : null);
            command.Options.Add(options.Hosts);
            command.Options.Add(options.Local);
            foreach (var option in (Option?[])[options.Sync, options.Events, options.StdinEof])
            {
                if (option is not null)
                {
                    command.Options.Add(option);
                }
            }

            command.Validators.Add(result =>
            {
                if (result.GetResult(options.Hosts) is not null && result.GetValue(options.Local))
                {
                    result.AddError("--hosts and --local cannot be used together");
                }

                if (result.GetResult(options.Hosts) is not null && (result.GetValue(options.Hosts) ?? []).Length == 0)
                {
                    result.AddError("--hosts needs host names, e.g. --hosts web1,web2");
                }

                if (options.Events is not null && result.GetValue(options.Events) is { } events && events != "json")
                {
                    result.AddError($"--events takes json, got '{events}'");
                }
            });
            return options;
        }

        public Where Of(ParseResult parsed) => new(
            parsed.GetResult(Hosts) is null ? null : parsed.GetValue(Hosts) ?? [],
            parsed.GetValue(Local),
            Sync is not null && parsed.GetValue(Sync),
            Events is not null && parsed.GetValue(Events) == "json",
            StdinEof is not null && parsed.GetValue(StdinEof));
    }

    /// <summary>The values of <see cref="WhereOptions"/>; <paramref name="Hosts"/> null when <c>--hosts</c> was not given.</summary>
    internal sealed record Where(string[]? Hosts, bool Local, bool Sync, bool Events, bool StdinEof)
    {
        /// <summary>Over hosts: named with --hosts, or the manifest has hosts and --local was not given.</summary>
        public bool OverHosts(Manifest.DeployManifest manifest) => !Local && (Hosts is not null || manifest.Hosts.Count > 0);
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
        var where = WhereOptions.AddTo(command, deployOrStop: true);
        command.SetAction((parsed, cancellationToken) => RunAsync(console, parsed.GetValue(manifestOption), new DeployOptions
        {
            Services = parsed.GetValue(services) ?? [],
            Quick = parsed.GetValue(quick),
            NoDependencies = parsed.GetValue(noDeps),
            LockTimeout = TimeSpan.FromSeconds(parsed.GetValue(lockTimeout)),
        }, stop: false, verbosity.Of(parsed), where.Of(parsed), cancellationToken));
    }

    public static Command Stop(Option<string?> manifestOption, CliConsole console)
    {
        var services = ServiceArgument.Create("Services to stop (default: all); the services they depend on keep running");
        var lockTimeout = LockTimeoutOption();
        var command = new Command("stop", "Stop the services: their stop command, or SIGTERM, then SIGKILL after stop_timeout") { services, lockTimeout };
        var verbosity = VerbosityOptions.AddTo(command);
        var where = WhereOptions.AddTo(command, deployOrStop: true);
        command.SetAction((parsed, cancellationToken) => RunAsync(console, parsed.GetValue(manifestOption), new DeployOptions
        {
            Services = parsed.GetValue(services) ?? [],
            LockTimeout = TimeSpan.FromSeconds(parsed.GetValue(lockTimeout)),
        }, stop: true, verbosity.Of(parsed), where.Of(parsed), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliConsole console, string? manifestPath, DeployOptions options, bool stop, Verbosity verbosity, Where where, CancellationToken cancellationToken)
    {
        var manifest = ManifestOption.Load(manifestPath, console, quiet: verbosity == Verbosity.Quiet || where.Events);
        var overHosts = where.OverHosts(manifest);
        if (where.Events && overHosts)
        {
            throw new InputException("--events json streams a run on this machine; add --local (each host runs pbdeploy --local --events json)");
        }

        if (where.Sync && !overHosts)
        {
            throw new InputException(where.Local
                ? "--sync copies the project to the hosts; it cannot go with --local"
                : $"--sync copies the project to the hosts, and {manifest.Path} has none; add \"hosts\" to it");
        }

        if (overHosts)
        {
            return await RunOnHostsAsync(console, manifest, options, stop, verbosity, where, cancellationToken);
        }

        using var stdinEof = where.StdinEof ? StdinEof.Start() : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stdinEof?.Token ?? CancellationToken.None);
        cancellationToken = linked.Token;
        if (where.Events)
        {
            return await RunWithEventsAsync(console, manifest, options, stop, cancellationToken);
        }

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

    /// <summary><c>--events json</c>: every event as a line of JSON on stdout, then <c>{"event":"finished",...}</c>.</summary>
    private static async Task<int> RunWithEventsAsync(
        CliConsole console, Manifest.DeployManifest manifest, DeployOptions options, bool stop, CancellationToken cancellationToken)
    {
        var writer = console.Writer;
        void Write(DeployEvent e)
        {
            writer.WriteLine(DeployEventJson.Encode(e));
            writer.Flush();
        }

        var deployer = new Deployer(manifest, Write);
        DeployResult result;
        try
        {
            result = stop ? await deployer.StopAsync(options, cancellationToken) : await deployer.DeployAsync(options, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.Error("interrupted while waiting for the deploy lock: nothing was done.");
            return ExitCodes.ServiceFailed;
        }

        var code = result.Succeeded ? ExitCodes.Success : ExitCodes.ServiceFailed;
        Write(new DeployFinished(result, code));
        return code;
    }

    /// <summary>The run on each host over ssh: host lines, a table of hosts, one closing line.</summary>
    private static async Task<int> RunOnHostsAsync(
        CliConsole console, Manifest.DeployManifest manifest, DeployOptions options, bool stop, Verbosity verbosity, Where where, CancellationToken cancellationToken)
    {
        var reporter = new HostsReporter(console, manifest, verbosity);
        var runner = new HostDeployer(manifest, reporter.OnEvent);
        var hostOptions = new HostRunOptions { Deploy = options, Hosts = where.Hosts ?? [], Sync = where.Sync };
        _ = runner.Select(hostOptions.Hosts); // a wrong name is one line before anything runs
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var what = stop ? "stop" : "deploy";
        var result = await reporter.RunAsync(stop ? "Stopping" : "Deploying", () => stop
            ? runner.StopAsync(hostOptions, cancellationToken)
            : runner.DeployAsync(hostOptions, cancellationToken));
        reporter.Summary(what, result, clock.Elapsed);
        if (result.Succeeded)
        {
            return ExitCodes.Success;
        }

        if (result.Interrupted)
        {
            console.Error("interrupted: each host stopped what it had started and nothing more was run; the lines above say what was done. Run pbdeploy status to see what runs.");
            return ExitCodes.ServiceFailed;
        }

        console.Error(HostsReporter.FailureLine(what, result, clock.Elapsed));
        return ExitCodes.ServiceFailed;
    }
}
