using System.Text;

namespace PbDeploy.Cli;

/// <summary>
/// stdout or stderr that never throws: a reader gone (a closed pipe) or a full disk must not turn a deploy into a
/// crash with a stack trace, nor abort it halfway. The first failed write is remembered and later writes are dropped.
/// </summary>
internal sealed class GuardedWriter(TextWriter inner) : TextWriter
{
    private const int EPIPE = 32;
    private const int EBADF = 9;

    /// <summary>The writer written to.</summary>
    public TextWriter Inner { get; } = inner;

    /// <summary>Why output was lost, if it was: <c>No space left on device</c>.</summary>
    public string? Failure { get; private set; }

    /// <summary>Whether output was lost because nobody reads it any more (a closed pipe or descriptor), which is no failure of the work.</summary>
    public bool ReaderGone { get; private set; }

    public override Encoding Encoding => Inner.Encoding;

    public override void Write(char value) => Guard(() => Inner.Write(value));

    public override void Write(string? value) => Guard(() => Inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => Inner.Write(buffer, index, count));

    public override void WriteLine(string? value) => Guard(() => Inner.WriteLine(value));

    public override void Flush() => Guard(Inner.Flush);

    private void Guard(Action write)
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            write();
        }
        catch (IOException e)
        {
            Failure = e.Message;
            ReaderGone = e.HResult is EPIPE or EBADF;
        }
        catch (UnauthorizedAccessException e)
        {
            // .NET reports EBADF (a descriptor closed under us) as access denied.
            Failure = e.InnerException?.Message ?? e.Message;
            ReaderGone = true;
        }
        catch (ObjectDisposedException e)
        {
            Failure = e.Message;
            ReaderGone = true;
        }
    }
}
