using PbDeploy.Processes.Linux;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Processes;

public sealed class SockDiagTests
{
    [Fact(Timeout = 30_000)]
    public async Task One_filtered_dump_per_family_finds_exactly_the_listeners_on_many_ports()
    {
        using var dir = new TempDirectory();
        using var dual = await TestService.StartAsync(dir, "--host", "dual");
        using var v6 = await TestService.StartAsync(dir, "--host", "::1");
        using var client = await TestService.StartAsync(dir, "--client", dual.Port.ToString());
        int[] free = [TestService.FreePort(), TestService.FreePort(), TestService.FreePort()];

        var sockets = SockDiag.QueryFiltered([free[0], dual.Port, free[1], v6.Port, free[2]]);

        sockets.ShouldNotBeNull("the kernel accepts the port filter");
        sockets.Select(s => s.Port).Order().ShouldBe(new[] { dual.Port, dual.Port, v6.Port }.Order());
        var fromProc = ProcNetTcp.Query([dual.Port, v6.Port]);
        sockets.Select(s => s.Inode).Order().ShouldBe(fromProc.Select(s => s.Inode).Order());
    }

    [Fact(Timeout = 30_000)]
    public async Task The_port_filter_of_a_single_port_works_too()
    {
        using var dir = new TempDirectory();
        using var service = await TestService.StartAsync(dir);

        var sockets = SockDiag.QueryFiltered([service.Port]);

        sockets.ShouldNotBeNull();
        sockets.Select(s => s.Port).ShouldBe([service.Port]);
    }
}
