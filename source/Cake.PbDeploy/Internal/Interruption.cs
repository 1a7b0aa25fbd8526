using System.Runtime.InteropServices;

namespace Cake.PbDeploy.Internal;

/// <summary>
/// Ctrl-C and SIGTERM while a PbDeploy step runs: the core's commands run in process groups of their own (so a
/// whole command can be stopped), which the terminal's Ctrl-C does not reach. Cake gives tasks no cancellation
/// token, so this catches the signal for the length of one step and cancels it: the core then stops the running
/// commands and any half-started service, and the task fails saying it was interrupted.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public Interruption()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }

    private void Cancel(PosixSignalContext context)
    {
        context.Cancel = true; // not now: first stop what runs
        _source.Cancel();
    }
}
