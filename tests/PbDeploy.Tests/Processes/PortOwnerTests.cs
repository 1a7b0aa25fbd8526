using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Processes;

public sealed class PortOwnerTests
{
    public static TheoryData<FinderMethod> Methods => new() { FinderMethod.Netlink, FinderMethod.ProcNet, FinderMethod.Lsof };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Methods))]
    public async Task Finds_a_listener_on_any_address_both_families(FinderMethod method)
    {
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsync(dir, "--host", "dual");

        var owner = new ProcessFinder(method).FindPortOwner(service.Port);

        owner.State.ShouldBe(ServiceState.Running);
        owner.Pid.ShouldBe(service.Pid);
        owner.Pids.ShouldBe([service.Pid]);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Methods))]
    public async Task Finds_a_listener_on_the_IPv6_loopback_only(FinderMethod method)
    {
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsync(dir, "--host", "::1");

        var owner = new ProcessFinder(method).FindPortOwner(service.Port);

        owner.State.ShouldBe(ServiceState.Running);
        owner.Pid.ShouldBe(service.Pid);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Methods))]
    public async Task Names_the_master_of_a_prefork_server_and_all_its_workers(FinderMethod method)
    {
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsync(dir, "--host", "dual", "--workers", "4");

        var owner = new ProcessFinder(method).FindPortOwner(service.Port);

        owner.State.ShouldBe(ServiceState.Running);
        owner.Pid.ShouldBe(service.Pid);
        owner.Pids.ShouldBe([.. service.Workers.Append(service.Pid).Order()]);
        owner.Pids.Count.ShouldBe(5);
    }

    public static TheoryData<FinderMethod, bool> OrphanCases => new()
    {
        { FinderMethod.Netlink, true }, { FinderMethod.Netlink, false }, { FinderMethod.ProcNet, true }, { FinderMethod.ProcNet, false },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(OrphanCases))]
    public async Task Workers_whose_master_died_are_all_found_and_the_topmost_of_them_is_the_pid(FinderMethod method, bool masterLedItsGroup)
    {
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsync(dir, [.. masterLedItsGroup ? ["--setsid"] : Array.Empty<string>(), "--workers", "3", "--orphan-workers"]);
        await WaitUntil(() => Signals.Describe(service.Pid) is not { IsZombie: false });
        service.Workers.ShouldAllBe(w => Signals.Describe(w)!.ParentPid != service.Pid, "the workers are orphans now");

        var owner = new ProcessFinder(method).FindPortOwner(service.Port);

        owner.State.ShouldBe(ServiceState.Running);
        owner.Pids.ShouldBe([.. service.Workers.Order()]);
        var oldest = service.Workers.Select(w => Signals.Describe(w)!).OrderBy(w => w.StartTicks).ThenBy(w => w.Pid).First();
        owner.Pid.ShouldBe(oldest.Pid);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Methods))]
    public async Task A_free_port_is_stopped(FinderMethod method)
    {
        var port = TestService.FreePort();

        var owner = new ProcessFinder(method).FindPortOwner(port);

        owner.ShouldBe(PortOwner.Stopped(port) with { Pids = owner.Pids });
        owner.Pids.ShouldBeEmpty();
        await Task.CompletedTask;
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Methods))]
    public async Task A_client_connection_to_the_port_does_not_count(FinderMethod method)
    {
        using var dir = new TempDirectory();
        using var server = await TestService.StartAsync(dir);
        using var client = await TestService.StartAsync(dir, "--client", server.Port.ToString());

        var owner = new ProcessFinder(method).FindPortOwner(server.Port);

        owner.Pids.ShouldBe([server.Pid]);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Methods))]
    public async Task A_port_is_matched_exactly_not_by_its_digits(FinderMethod method)
    {
        using var dir = new TempDirectory();
        // Find a listener on a port like 18080 whose shorter tail (8080) is free, and ask for the tail.
        TestService? service = null;
        int tail = 0;
        for (var attempt = 0; attempt < 20 && service is null; attempt++)
        {
            var candidate = await TestService.StartAsync(dir);
            tail = int.Parse(candidate.Port.ToString()[1..]);
            if (candidate.Port >= 10_000 && tail > 0 && TestService.IsFree(tail))
            {
                service = candidate;
            }
            else
            {
                candidate.Dispose();
            }
        }

        service.ShouldNotBeNull();
        using (service)
        {
            var owners = new ProcessFinder(method).FindPortOwners([tail, service.Port]);

            owners[tail].State.ShouldBe(ServiceState.Stopped);
            owners[service.Port].Pid.ShouldBe(service.Pid);
        }
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Methods))]
    public async Task Says_whether_a_port_listens_without_finding_its_holders(FinderMethod method)
    {
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsync(dir);
        using var client = await TestService.StartAsync(dir, "--client", service.Port.ToString());
        var finder = new ProcessFinder(method);

        finder.IsListening(service.Port).ShouldBeTrue();
        finder.IsListening(TestService.FreePort()).ShouldBeFalse();
    }

    [Fact(Timeout = 30_000)]
    public async Task Resolves_many_ports_in_one_call()
    {
        using var dir = new TempDirectory();
        using var one = await TestService.StartAsync(dir);
        using var two = await TestService.StartAsync(dir, "--host", "::", "--workers", "2");
        var free = TestService.FreePort();

        var owners = new ProcessFinder().FindPortOwners([one.Port, two.Port, free]);

        owners.Count.ShouldBe(3);
        owners[one.Port].Pid.ShouldBe(one.Pid);
        owners[two.Port].Pid.ShouldBe(two.Pid);
        owners[two.Port].Pids.Count.ShouldBe(3);
        owners[free].State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_listener_that_has_exited_and_is_a_zombie_is_dead()
    {
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsync(dir, "--zombie");
        await WaitUntil(() => ProcessState(service.Pid) == 'Z');

        var owner = new ProcessFinder().FindPortOwner(service.Port);

        owner.State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_port_held_by_another_users_process_is_running_for_root()
    {
        // As root every process is visible: a server that binds as root and drops to another user is still found.
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsNobodyAsync(dir);

        var owner = new ProcessFinder().FindPortOwner(service.Port);

        owner.State.ShouldBe(ServiceState.Running);
        owner.Pid.ShouldBe(service.Pid);
        owner.SocketUid.ShouldBe(65534);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_binds_as_root_and_drops_to_another_user_is_found()
    {
        // The socket is root's, the process nobody's: the scan of the socket owner's processes misses it, and the
        // pass over the others must find it (a scan that trusted the socket's uid would call the port foreign).
        using var dir = new TempDirectory();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("1777", 8));
        using var service = await TestService.StartAsync(dir, "--drop-to", "65534");

        var owner = new ProcessFinder().FindPortOwner(service.Port);

        File.ReadAllText($"/proc/{service.Pid}/status").ShouldContain("Uid:\t65534\t65534\t65534\t65534");
        owner.SocketUid.ShouldBe(0);
        owner.State.ShouldBe(ServiceState.Running);
        owner.Pid.ShouldBe(service.Pid);
    }

    internal static char ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '-';
        }
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }
}
