using PbDeploy.Platform;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Processes;

/// <summary>
/// The one guard of every signal path, attacked with the processes a port or a pidfile may name: init, the test host
/// (here, pbdeploy itself), its parent, a kernel thread. The attacks send signal 0, which delivers nothing, so that the
/// code before the guard (which sent it) harms nobody while failing these tests. The escalation to SIGKILL (which on
/// that code became kill(-1)) is attacked only inside a PID namespace: see the CLI's SignalSafetyTests.
/// </summary>
public sealed class SignalGuardTests
{
    private static int Parent => Signals.Describe(Environment.ProcessId)!.ParentPid;

    [Fact]
    public void A_signal_to_pid_1_is_refused_before_anything_is_sent()
    {
        var init = Signals.Describe(1).ShouldNotBeNull();

        var refusal = Should.Throw<PbDeployException>(() => Signals.Send(init, 0));

        refusal.Message.ShouldBe("refused to send signal 0 to pid 1: pid 1 is init; pbdeploy never signals it. Stop that process by other means if it really is the service.");
    }

    [Fact]
    public void A_signal_to_pbdeploy_itself_is_refused()
    {
        var self = Signals.Describe(Environment.ProcessId).ShouldNotBeNull();

        Should.Throw<PbDeployException>(() => Signals.Send(self, 0)).Message
            .ShouldContain($"pid {Environment.ProcessId} is pbdeploy itself; pbdeploy never signals it");
    }

    [Fact]
    public void A_signal_to_any_ancestor_of_pbdeploy_is_refused()
    {
        var ancestors = new List<int>();
        for (var pid = Parent; pid > 1; pid = Signals.Describe(pid)?.ParentPid ?? 0)
        {
            ancestors.Add(pid);
        }

        ancestors.ShouldNotBeEmpty();
        foreach (var ancestor in ancestors)
        {
            var process = Signals.Describe(ancestor).ShouldNotBeNull();
            Should.Throw<PbDeployException>(() => Signals.Send(process, 0)).Message
                .ShouldContain($"pid {ancestor} is an ancestor of pbdeploy (");
        }
    }

    [Fact]
    public void A_signal_to_a_kernel_thread_is_refused()
    {
        if (KernelThreads.AnyVisible() is not { } thread)
        {
            return; // none is visible in this PID namespace, so none can be named
        }

        var process = Signals.Describe(thread).ShouldNotBeNull();
        process.IsKernelThread.ShouldBeTrue();

        Should.Throw<PbDeployException>(() => Signals.Send(process, 0)).Message
            .ShouldContain($"pid {thread} is a kernel thread (");
    }

    [Fact(Timeout = 30_000)]
    public async Task The_SIGKILL_escalation_refuses_a_kernel_thread_among_the_holders_before_it_kills_anything()
    {
        if (KernelThreads.AnyVisible() is not { } thread)
        {
            return; // none is visible in this PID namespace, so none can be named
        }

        // SIGKILL for real, on a target the kernel itself protects: a kernel thread ignores it, so the old code's kill
        // harms nothing but the server, which this test watches. (Init and ancestors are attacked in a PID namespace.)
        using var dir = new TempDirectory();
        using var server = await TestService.StartAsync(dir);
        var master = Signals.Describe(server.Pid).ShouldNotBeNull();
        var kernelThread = Signals.Describe(thread).ShouldNotBeNull();

        Should.Throw<PbDeployException>(() => Signals.KillAll(master, [kernelThread])).Message
            .ShouldContain($"pid {thread} is a kernel thread (");
        Should.Throw<PbDeployException>(() => Signals.KillAll(kernelThread, [])).Message
            .ShouldContain($"pid {thread} is a kernel thread (");

        Signals.IsAlive(master).ShouldBeTrue("all or nothing: the refusal came before the first kill");
    }

    [Fact]
    public void A_group_signal_to_init_all_pbdeploys_own_group_or_a_group_holding_an_ancestor_is_refused()
    {
        Should.Throw<PbDeployException>(() => Signals.SendGroup(1, 0)).Message.ShouldContain("process group 1 is init's");
        Should.Throw<PbDeployException>(() => Signals.SendGroup(0, 0)).Message.ShouldContain("process group 0 is not a group");
        if (Libc.getpgrp() > 1) // 0 in a PID namespace whose group leader lives outside it (as CI runs the tests): refused above
        {
            Should.Throw<PbDeployException>(() => Signals.SendGroup(Libc.getpgrp(), 0)).Message
                .ShouldBe($"refused to send signal 0 to process group {Libc.getpgrp()} is pbdeploy's own; pbdeploy never signals it. Stop those processes by other means.");
        }

        var parentGroup = Signals.Describe(Parent)!.ProcessGroup;
        if (parentGroup != Libc.getpgrp() && parentGroup > 1)
        {
            Should.Throw<PbDeployException>(() => Signals.SendGroup(parentGroup, 0)).Message.ShouldContain("holds an ancestor of pbdeploy");
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_group_this_process_started_may_still_be_signalled()
    {
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsync(dir, "--setsid");
        var group = Signals.Describe(service.Pid)!.ProcessGroup;
        group.ShouldBe(service.Pid);

        Signals.SendGroup(group, Signals.Kill);

        await Wait.Until(() => Signals.Describe(service.Pid) is not { IsZombie: false }, TimeSpan.FromSeconds(10), "the group to die");
    }

    public static TheoryData<string> ProtectedPids => ["init", "self", "parent", "kernel thread"];

    [Theory]
    [MemberData(nameof(ProtectedPids))]
    public void A_pidfile_naming_a_process_pbdeploy_never_signals_is_refused_not_running(string which)
    {
        int? named = which switch
        {
            "init" => 1,
            "self" => Environment.ProcessId,
            "parent" => Parent,
            _ => KernelThreads.AnyVisible(),
        };
        if (named is not { } pid)
        {
            return; // no kernel thread is visible in this PID namespace
        }

        using var dir = new TempDirectory();
        var pidfile = dir.Write("web.pid", $"{pid}\n");
        File.SetLastWriteTimeUtc(pidfile, DateTime.UtcNow); // written after that process started: not a reused pid

        var owner = PidfileProbe.Read(pidfile);

        owner.State.ShouldBe(ServiceState.Foreign);
        owner.Pid.ShouldBe(pid);
        owner.Warning.ShouldStartWith($"pidfile {pidfile} names pid {pid}, which is ");
        owner.Warning.ShouldEndWith("; pbdeploy will neither signal it nor start a second copy. Fix or remove the pidfile, then deploy again");
    }
}
