using System.Diagnostics;

namespace PbDeploy.Tests.Support;

/// <summary>
/// Another local user (uid and gid 65534, nobody) attacking what a root pbdeploy does: runs shell commands through
/// <c>setpriv</c>, so the files it plants are really owned by someone else.
/// </summary>
public static class OtherUser
{
    public const int Uid = 65534;

    /// <summary>A folder as /tmp is (mode 1777: anyone creates, only owners remove), or writable by anyone without the sticky bit (0777).</summary>
    public static string SharedFolder(TempDirectory dir, string name, bool sticky = true)
    {
        var folder = dir.Combine(name);
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32(sticky ? "1777" : "777", 8));
        return folder;
    }

    /// <summary>Runs <paramref name="command"/> with <c>/bin/sh -c</c> as nobody and waits; fails the test unless it exits 0.</summary>
    public static async Task RunAsync(string command)
    {
        using var process = Start(command);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.ShouldBe(0, $"as uid {Uid}: {command}");
    }

    /// <summary>Starts <paramref name="command"/> as nobody, without pipes; the caller kills it by pid.</summary>
    public static Process Start(string command)
    {
        var start = new ProcessStartInfo("setpriv") { UseShellExecute = false };
        // No pipes: nothing the other user runs can hold the test host's output open.
        foreach (var arg in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", "exec </dev/null >/dev/null 2>&1; " + command])
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
