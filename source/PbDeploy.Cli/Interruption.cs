using System.Runtime.InteropServices;

namespace PbDeploy.Cli;

/// <summary>
/// The signals that ask pbdeploy to stop: SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session, a CI runner
/// giving up) all cancel the run, so the commands it runs are stopped, its temporary files removed and its lock
/// released, and it exits 1 saying what was done. SIGUSR1 and SIGUSR2, whose default would kill pbdeploy outright
/// and leave its commands orphaned, are ignored with a warning: nothing asks pbdeploy to stop with them. (SIGPIPE is
/// ignored by the .NET runtime; a closed pipe is a failed write, see <see cref="GuardedWriter"/>.)
/// </summary>
internal sealed class Interruption : IDisposable
{
    // Raw numbers: .NET names only the signals it handles itself. Linux's, the same on x64 and arm64 (LibcConstantsTests).
    private const int SIGUSR1 = 10;
    private const int SIGUSR2 = 12;

    private readonly CliConsole _console;
    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    public Interruption(CliConsole console)
    {
        _console = console;
        foreach (var (signal, name) in (ReadOnlySpan<(PosixSignal, string)>)[(PosixSignal.SIGINT, "SIGINT"), (PosixSignal.SIGTERM, "SIGTERM"), (PosixSignal.SIGHUP, "SIGHUP")])
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context => Stop(context, name)));
        }

        foreach (var (signal, name) in (ReadOnlySpan<(int, string)>)[(SIGUSR1, "SIGUSR1"), (SIGUSR2, "SIGUSR2")])
        {
            _registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context => Ignore(context, name)));
        }
    }

    /// <summary>Cancelled by the first SIGINT, SIGTERM or SIGHUP.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Completes at the first SIGINT, SIGTERM or SIGHUP.</summary>
    public Task Signalled => _signalled.Task;

    /// <summary>The signal that stopped the run, if one did.</summary>
    public string? Signal { get; private set; }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }

    private void Stop(PosixSignalContext context, string name)
    {
        // Never the default action (death): the run stops itself, cleaning up on the way.
        context.Cancel = true;
        if (Interlocked.Exchange(ref _received, 1) == 1)
        {
            return;
        }

        Signal = name;
        _console.Note($"{name} received: stopping the commands that run");
        _cancel.Cancel();
        _ = _signalled.TrySetResult();
    }

    private void Ignore(PosixSignalContext context, string name)
    {
        context.Cancel = true;
        _console.Warning($"{name} ignored; send SIGTERM or SIGINT to stop pbdeploy");
    }
}
