using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Processes;

/// <summary>
/// pbdeploy reaps only the children it started and tracks. Any other child of its process belongs to the host (a
/// build engine's or a test's <see cref="System.Diagnostics.Process"/>): reaping it would take its exit from .NET,
/// which then ends the whole process ("Error while reaping child", FailFast).
/// </summary>
public sealed class ReapTests
{
    [Fact(Timeout = 30_000)]
    public async Task IsAlive_on_an_exited_child_pbdeploy_does_not_track_leaves_it_to_its_starter()
    {
        using var dir = new TempDirectory();
        using var output = File.OpenHandle(dir.Combine("out.log"), FileMode.Create, FileAccess.Write);
        var pid = Spawner.Spawn(new SpawnRequest("/bin/sh", ["-c", "exit 7"], dir.Path, ProgramRun.CurrentEnvironment(), (int)output.DangerousGetHandle(), "out.log"));
        var process = Signals.Describe(pid).ShouldNotBeNull();
        await Wait.Until(() => Signals.Describe(pid) is { IsZombie: true }, TimeSpan.FromSeconds(10), "the child's exit");

        Signals.IsAlive(process).ShouldBeFalse();

        Signals.Describe(pid).ShouldNotBeNull().IsZombie.ShouldBeTrue("IsAlive did not reap a child it does not track: its exit is still there for its starter");
        ChildProcess.TryReap(pid).ShouldBe(new ExitStatus(7, null));
    }
}
