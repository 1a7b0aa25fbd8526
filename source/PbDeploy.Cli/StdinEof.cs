namespace PbDeploy.Cli;

/// <summary>
/// Cancels when stdin ends: how a pbdeploy run by a deploy over hosts learns that the deploy was interrupted. Without
/// a terminal, sshd does not signal the remote command when the client goes; it closes the command's stdin. Only for
/// the hidden <c>--stdin-eof-interrupts</c>, which the host runner passes: a run from a script keeps a closed stdin.
/// </summary>
internal sealed class StdinEof : IDisposable
{
    private readonly CancellationTokenSource _ended = new();

    private StdinEof()
    {
        var thread = new Thread(Watch) { IsBackground = true, Name = "stdin EOF" };
        thread.Start();
    }

    public CancellationToken Token => _ended.Token;

    public static StdinEof Start() => new();

    public void Dispose() => _ended.Dispose();

    private void Watch()
    {
        try
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[4096];
            while (stdin.Read(buffer, 0, buffer.Length) > 0)
            {
                // What comes is ignored: only the end matters.
            }
        }
        catch (IOException)
        {
            // A broken stdin ends it as well.
        }

        try
        {
            _ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run is over already.
        }
    }
}
