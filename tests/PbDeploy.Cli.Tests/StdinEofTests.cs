using System.Diagnostics;
using System.Globalization;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// <c>--stdin-eof-interrupts</c> (how a remote pbdeploy learns that the deploy over hosts was interrupted): the end of
/// stdin stops what this run started, and nothing else.
/// </summary>
public sealed class StdinEofTests
{
    [Fact(Timeout = 120_000)]
    public async Task Stdin_ending_during_a_blue_green_switch_stops_the_new_copy_and_never_the_copy_that_serves()
    {
        using var dir = new TempDirectory("stdin-eof-blue-green");
        var a = TestService.FreePort();
        var b = TestService.FreePort();
        dir.Write("delay", "0");
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "ports": [{{a}}, {{b}}], "daemonizes": false, "start_timeout": 60, "stop_timeout": 2,
              "start": "echo $$ > {project_dir}/copy-{port}.pid; sleep $(cat {project_dir}/delay); exec {{TestService.Python}} -m http.server {port} --bind 127.0.0.1" } } }
            """);
        var first = await Pbdeploy.RunAsync("--manifest", manifest);
        first.ExitCode.ShouldBe(0, first.Stdout + first.Stderr);
        var old = int.Parse(File.ReadAllText(dir.Combine($"copy-{a}.pid")).Trim(), CultureInfo.InvariantCulture);
        int? fresh = null;
        Process? pbdeploy = null;
        try
        {
            TestService.IsFree(a).ShouldBeFalse("the first copy serves port A");
            dir.Write("delay", "60");
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
            foreach (var arg in (string[])["-c", "exec \"$@\" >\"$OUT\" 2>\"$ERR\"", "sh", "dotnet", Pbdeploy.ToolDll, "--stdin-eof-interrupts", "--manifest", manifest])
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["OUT"] = dir.Combine("stdout.txt");
            start.Environment["ERR"] = dir.Combine("stderr.txt");
            pbdeploy = Process.Start(start)!;
            var pidFile = dir.Combine($"copy-{b}.pid");
            await Wait.Until(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0, TimeSpan.FromSeconds(30), "the new copy to start on port B");
            fresh = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);

            var clock = Stopwatch.StartNew();
            pbdeploy.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await pbdeploy.WaitForExitAsync(timeout.Token);

            var output = File.ReadAllText(dir.Combine("stdout.txt")) + File.ReadAllText(dir.Combine("stderr.txt"));
            pbdeploy.ExitCode.ShouldNotBe(0, output);
            output.ShouldContain($"the copy on port {a} (pid {old}) still serves", Case.Sensitive, output);
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), "the end of stdin interrupts at once: " + output);
            Directory.Exists($"/proc/{fresh}").ShouldBeFalse("the new copy this run started was stopped: " + output);
            Directory.Exists($"/proc/{old}").ShouldBeTrue("the copy that served, which this run did not start, was never signalled: " + output);
            TestService.IsFree(a).ShouldBeFalse("port A still serves");
        }
        finally
        {
            if (pbdeploy is { HasExited: false })
            {
                pbdeploy.Kill(entireProcessTree: true);
            }

            pbdeploy?.Dispose();
            foreach (var pid in new[] { old, fresh }.OfType<int>().Where(p => Directory.Exists($"/proc/{p}")))
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // gone
                }
            }
        }
    }
}
