using Cake.Core;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// Reads the script arguments the generated tasks understand: <c>--quick</c>, <c>--no-deps</c>,
/// <c>--services=web,api</c>, and for a manifest with hosts <c>--hosts=web1,web2</c>, <c>--local</c> and <c>--sync</c>.
/// </summary>
internal static class ScriptArguments
{
    /// <summary>A bare <c>--quick</c> has no value (Cake's <c>Argument&lt;bool&gt;</c> reads it as false): it counts as true.</summary>
    public static bool Quick(ICakeArguments arguments) => Flag(arguments, "quick");

    /// <summary><c>--no-deps</c>: deploy only the services named, not what they depend on; as <see cref="Quick"/>, a bare one counts as true.</summary>
    public static bool NoDependencies(ICakeArguments arguments) => Flag(arguments, "no-deps");

    /// <summary><c>--local</c>: act on this machine, even where the manifest has hosts.</summary>
    public static bool Local(ICakeArguments arguments) => Flag(arguments, "local");

    /// <summary><c>--sync</c>: first copy the project folder to each host's dir.</summary>
    public static bool Sync(ICakeArguments arguments) => Flag(arguments, "sync");

    private static bool Flag(ICakeArguments arguments, string name)
    {
        if (!arguments.HasArgument(name))
        {
            return false;
        }

        var value = arguments.GetArguments(name).LastOrDefault();
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        return bool.TryParse(value, out var flag)
            ? flag
            : throw new CakeException($"--{name}={value}: expected --{name}, --{name}=true or --{name}=false");
    }

    /// <summary>The names of <c>--services=web,api</c> (also <c>--services=web --services=api</c>); empty without it.</summary>
    public static IReadOnlyList<string> Services(ICakeArguments arguments) => Names(arguments, "services", "web,api", "service");

    /// <summary>The names of <c>--hosts=web1,web2</c> (also <c>--hosts=web1 --hosts=web2</c>); null without it.</summary>
    public static IReadOnlyList<string>? Hosts(ICakeArguments arguments) =>
        arguments.HasArgument("hosts") ? Names(arguments, "hosts", "web1,web2", "host") : null;

    private static IReadOnlyList<string> Names(ICakeArguments arguments, string name, string example, string what)
    {
        if (!arguments.HasArgument(name))
        {
            return [];
        }

        var names = arguments.GetArguments(name)
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return names.Count > 0
            ? names
            : throw new CakeException($"--{name} needs {what} names: --{name}={example}");
    }
}
