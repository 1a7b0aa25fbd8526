using Cake.Core;

namespace Cake.PbDeploy.Internal;

/// <summary>Reads the script arguments the generated tasks understand: <c>--quick</c>, <c>--no-deps</c> and <c>--services=web,api</c>.</summary>
internal static class ScriptArguments
{
    /// <summary>A bare <c>--quick</c> has no value (Cake's <c>Argument&lt;bool&gt;</c> reads it as false): it counts as true.</summary>
    public static bool Quick(ICakeArguments arguments) => Flag(arguments, "quick");

    /// <summary><c>--no-deps</c>: deploy only the services named, not what they depend on; as <see cref="Quick"/>, a bare one counts as true.</summary>
    public static bool NoDependencies(ICakeArguments arguments) => Flag(arguments, "no-deps");

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
    public static IReadOnlyList<string> Services(ICakeArguments arguments)
    {
        if (!arguments.HasArgument("services"))
        {
            return [];
        }

        var names = arguments.GetArguments("services")
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return names.Count > 0
            ? names
            : throw new CakeException("--services needs service names: --services=web,api");
    }
}
