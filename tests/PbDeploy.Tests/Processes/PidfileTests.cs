using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Processes;

public sealed class PidfileTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_pidfile_naming_a_live_process_is_running()
    {
        using var dir = new TempDirectory();
        var pidfile = dir.Combine("run", "web.pid");
        Directory.CreateDirectory(dir.Combine("run"));
        using var service = await TestService.StartAsync(dir, "--pidfile", pidfile);

        var owner = PidfileProbe.Read(pidfile);

        owner.ShouldBe(new PidfileOwner(ServiceState.Running, service.Pid, null));
    }

    [Fact]
    public void A_missing_pidfile_is_stopped_without_a_warning()
    {
        using var dir = new TempDirectory();

        PidfileProbe.Read(dir.Combine("none.pid")).ShouldBe(new PidfileOwner(ServiceState.Stopped, null, null));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   \n", "is empty")]
    [InlineData("abc", "holds no pid ('abc')")]
    [InlineData("12 34", "holds no pid ('12 34')")]
    [InlineData("-5", "holds no pid ('-5')")]
    [InlineData("0", "holds no pid ('0')")]
    [InlineData("99999999999", "holds no pid ('99999999999')")]
    public void A_pidfile_without_a_pid_is_stopped_with_a_warning(string content, string expected)
    {
        using var dir = new TempDirectory();
        var pidfile = dir.Write("web.pid", content);

        var owner = PidfileProbe.Read(pidfile);

        owner.State.ShouldBe(ServiceState.Stopped);
        owner.Pid.ShouldBeNull();
        owner.Warning.ShouldBe($"pidfile {pidfile} {expected}; treating the service as stopped");
    }

    [Fact]
    public void A_pidfile_larger_than_4_KiB_is_not_believed_even_when_it_ends_with_a_live_pid()
    {
        using var dir = new TempDirectory();
        var pidfile = dir.Write("web.pid", "not a pid" + new string(' ', 5000) + Environment.ProcessId);

        var owner = PidfileProbe.Read(pidfile);

        owner.State.ShouldBe(ServiceState.Stopped);
        owner.Warning.ShouldBe($"cannot read pidfile {pidfile} (it holds {new FileInfo(pidfile).Length} bytes, far more than a pid); treating the service as stopped");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pidfile_naming_a_dead_process_is_stopped()
    {
        using var dir = new TempDirectory();
        int pid;
        using (var service = await TestService.StartAsync(dir))
        {
            pid = service.Pid;
        }

        await PortOwnerTests.WaitUntil(() => !Directory.Exists($"/proc/{pid}"));
        var pidfile = dir.Write("web.pid", $"{pid}\n");

        var owner = PidfileProbe.Read(pidfile);

        owner.State.ShouldBe(ServiceState.Stopped);
        owner.Warning.ShouldBe($"pidfile {pidfile} names pid {pid}, which is not running; treating the service as stopped");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pidfile_naming_a_zombie_is_stopped()
    {
        using var dir = new TempDirectory();
        var pidfile = dir.Combine("web.pid");
        using var service = await TestService.StartAsync(dir, "--zombie", "--pidfile", pidfile);
        await PortOwnerTests.WaitUntil(() => PortOwnerTests.ProcessState(service.Pid) == 'Z');

        var owner = PidfileProbe.Read(pidfile);

        owner.State.ShouldBe(ServiceState.Stopped);
        owner.Warning!.ShouldContain($"names pid {service.Pid}, which is not running");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pidfile_older_than_its_process_names_a_reused_pid_and_is_stopped()
    {
        using var dir = new TempDirectory();
        using var unrelated = await TestService.StartAsync(dir);
        var pidfile = dir.Write("web.pid", $"{unrelated.Pid}\n");
        File.SetLastWriteTimeUtc(pidfile, DateTime.UtcNow - TimeSpan.FromHours(1));

        var owner = PidfileProbe.Read(pidfile);

        owner.State.ShouldBe(ServiceState.Stopped);
        owner.Pid.ShouldBeNull();
        owner.Warning!.ShouldContain($"names pid {unrelated.Pid}, but that process started");
        owner.Warning!.ShouldContain("the pid was reused by another process; treating the service as stopped");
        Directory.Exists($"/proc/{unrelated.Pid}").ShouldBeTrue("the unrelated process is left alone");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_pidfile_that_is_a_fifo_is_never_read_and_is_stopped()
    {
        using var dir = new TempDirectory();
        var fifo = dir.Combine("web.pid");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            mkfifo.ExitCode.ShouldBe(0);
        }

        var owner = await Task.Run(() => PidfileProbe.Read(fifo)); // would block forever on read

        owner.State.ShouldBe(ServiceState.Stopped);
        owner.Warning.ShouldBe($"pidfile {fifo} is not a regular file; treating the service as stopped");
    }
}
