using System.Runtime.Versioning;
using PbDeploy;
using PbDeploy.Cli;

// pbdeploy runs on Linux only, as the core does; anywhere else it refuses first thing, below.
[assembly: SupportedOSPlatform("linux")]

try
{
    // First of all: on macOS or Windows even the libc calls just below would be wrong or missing.
    PlatformSupport.ThrowIfUnsupported();
}
catch (EnvironmentException e)
{
    Console.Error.WriteLine($"pbdeploy: error: {e.Message}");
    return ExitCodes.ServiceFailed;
}

var taken = StandardStreams.OpenClosedOnDevNull();
var stdout = new GuardedWriter(taken[1] ? TextWriter.Null : Console.Out);
var stderr = new GuardedWriter(taken[2] ? TextWriter.Null : Console.Error);
var code = await App.RunAsync(args, stdout, stderr);
if (stdout.Failure is { } failure && !stdout.ReaderGone && code == ExitCodes.Success)
{
    // The work was done, but its report was lost (a full disk): a script must not take the missing output for success.
    stderr.WriteLine($"pbdeploy: error: the output could not be written to stdout ({failure}); the run itself finished, run pbdeploy status to see the state.");
    code = ExitCodes.ServiceFailed;
}

return code;
