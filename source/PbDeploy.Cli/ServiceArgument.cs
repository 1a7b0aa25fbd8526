using System.CommandLine;

namespace PbDeploy.Cli;

/// <summary>The <c>SERVICE...</c> argument of every command: service names, never something that looks like an option.</summary>
internal static class ServiceArgument
{
    public static Argument<string[]> Create(string description)
    {
        var argument = new Argument<string[]>("service") { Arity = ArgumentArity.ZeroOrMore, Description = description };
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-')))
            {
                result.AddError($"unknown option '{token.Value}'");
            }
        });
        return argument;
    }
}
