using System.Runtime.InteropServices;
using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>Ctrl-C during a generated task stops what PbDeploy runs: its commands have process groups of their own, which the terminal's signal does not reach.</summary>
public sealed class InterruptTests
{
    [Fact(Timeout = 300_000)]
    public async Task Ctrl_C_during_Before_stops_the_running_command_and_fails_the_build_saying_so()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        var beforePid = dir.Combine("before.pid");
        _ = Manifests.Write(dir, $$"""
            "web": { "port": {{port}}, "start": "exec {python} {script} --port {port}", "daemonizes": false,
                     "before": "echo $$ > {project_dir}/before.tmp; mv {project_dir}/before.tmp {project_dir}/before.pid; sleep 300; touch {project_dir}/not-reached" }
            """);
        var script = CakeRunner.Reference + """
            PbDeployTasks("pbdeploy.json");
            RunTarget(Argument("target", "Deploy"));
            """;

        var (cake, output) = await CakeRunner.StartAsync(dir, script, "--target=Deploy");
        using var cakeProcess = cake;
        var group = 0;
        try
        {
            await Wait.Until(() => File.Exists(beforePid) || cake.HasExited, TimeSpan.FromSeconds(150), "the before command");
            cake.HasExited.ShouldBeFalse(File.ReadAllText(output));
            group = int.Parse(File.ReadAllText(beforePid).Trim(), System.Globalization.CultureInfo.InvariantCulture);

            Kill(-cake.Id, 2).ShouldBe(0); // Ctrl-C: SIGINT to the foreground process group
            var result = await CakeRunner.WaitAsync(cake, output);

            result.ExitCode.ShouldNotBe(0, result.Output);
            result.Output.ShouldContain("web: FAILED in before: interrupted while it ran");
            result.Output.ShouldContain("PbDeploy deploy failed: web: interrupted while it ran");
            await Wait.Until(() => ProcessGroups.IsGone(group), TimeSpan.FromSeconds(5), "the before command's process group to be gone");
            File.Exists(dir.Combine("not-reached")).ShouldBeFalse();
            new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
        }
        finally
        {
            if (group > 0)
            {
                _ = Kill(-group, 9);
            }

            if (!cake.HasExited)
            {
                _ = Kill(-cake.Id, 9);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
