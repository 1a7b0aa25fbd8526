using System.Text;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

/// <summary>
/// The bad-input corpus in <c>BadInput/</c>: each <c>NAME.json</c> is a manifest (copied as <c>pbdeploy.json</c>), each
/// <c>NAME.expected</c> the one line <c>pbdeploy</c> must print after <c>pbdeploy: error: </c>, and each other
/// <c>NAME.FILE</c> a file copied as <c>FILE</c> (a template). In the files <c>__PORT__</c> is a free port for the
/// sentinel service (which would start a real server there and touch <c>before-ran</c> in its before command and
/// render <c>sentinel.conf</c>), <c>__LIVE__</c> the port of a server the test runs (which a restart would kill), and
/// <c>__FREE__</c> another free port; in the expected lines <c>{dir}</c> is the project folder and <c>{port}</c>,
/// <c>{free}</c> those ports. Every bad input must exit 2 with exactly that one line, and nothing may be started,
/// stopped or written.
/// </summary>
public sealed class BadInputTests(BadInputTests.LiveListener live) : IClassFixture<BadInputTests.LiveListener>
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "BadInput");

    public static TheoryData<string> Cases => [.. Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)];

    [Fact]
    public void The_corpus_has_at_least_40_bad_inputs_each_with_its_expected_line()
    {
        var cases = Directory.GetFiles(Folder, "*.json");
        cases.Length.ShouldBeGreaterThanOrEqualTo(40);
        foreach (var file in cases)
        {
            File.Exists(Path.ChangeExtension(file, ".expected")).ShouldBeTrue($"{Path.GetFileName(file)} has no .expected");
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task A_bad_input_exits_2_with_one_line_naming_the_problem_and_its_place_and_nothing_is_done(string name)
    {
        using var dir = new TempDirectory(name);
        var project = Project.Prepare(dir, name, live.Service.Port);
        using var cleanup = new PortCleanup(project.Port, project.Free);

        var result = await Pbdeploy.RunAsync("--manifest", dir.Combine("pbdeploy.json"));

        ShouldBeRefused(result, project);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("deep-nesting-arrays")]
    [InlineData("utf8-invalid-byte")]
    [InlineData("empty")]
    [InlineData("cycle-three")]
    [InlineData("template-unknown-variable")]
    [InlineData("pid-in-before-not-running")]
    public async Task The_real_tool_refuses_a_bad_input_the_same_way(string name)
    {
        using var dir = new TempDirectory(name);
        var project = Project.Prepare(dir, name, live.Service.Port);
        using var cleanup = new PortCleanup(project.Port, project.Free);

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "deploy");

        ShouldBeRefused(result, project);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("deep-nesting-objects")]
    [InlineData("duplicate-service")]
    [InlineData("range-port-70000")]
    public async Task Stop_refuses_a_bad_manifest_and_stops_nothing(string name)
    {
        using var dir = new TempDirectory(name);
        var project = Project.Prepare(dir, name, live.Service.Port);
        using var cleanup = new PortCleanup(project.Port, project.Free);

        var result = await Pbdeploy.RunProcessAsync(dir, dir.Path, [], "stop");

        ShouldBeRefused(result, project);
    }

    /// <summary>The control: without the fault the same sentinel does start, touch, render and restart, so the checks above can fail.</summary>
    [Fact(Timeout = 120_000)]
    public async Task Without_a_fault_the_sentinel_manifest_starts_writes_and_restarts()
    {
        using var dir = new TempDirectory();
        using var listener = await TestService.StartAsync(dir);
        var project = Project.Prepare(dir, "range-port-0", listener.Port);
        using var cleanup = new PortCleanup(project.Port, listener.Port);
        var lines = File.ReadAllLines(dir.Combine("pbdeploy.json"));
        File.WriteAllLines(dir.Combine("pbdeploy.json"), [.. lines[..3], lines[3].TrimEnd(','), .. lines[5..]]);

        var result = await Pbdeploy.RunAsync("--manifest", dir.Combine("pbdeploy.json"));
        var stop = await Pbdeploy.RunAsync("stop", "--manifest", dir.Combine("pbdeploy.json"));

        result.Stdout.ShouldContain("sentinel: started");
        File.Exists(dir.Combine("before-ran")).ShouldBeTrue();
        File.ReadAllText(dir.Combine("sentinel.conf")).ShouldBe($"port {project.Port}\n");
        Directory.Exists(dir.Combine(".pbdeploy")).ShouldBeTrue();
        new ProcessFinder().FindPortOwner(listener.Port).State.ShouldBe(ServiceState.Stopped, "the restart killed the live server");
        stop.ExitCode.ShouldBe(0, stop.Stdout + stop.Stderr);
    }

    private void ShouldBeRefused(RunResult result, Project project)
    {
        var expected = "pbdeploy: error: " + File.ReadAllText(Path.Combine(Folder, project.Name + ".expected")).TrimEnd('\n')
            .Replace("{dir}", project.Dir.Path, StringComparison.Ordinal)
            .Replace("{port}", project.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{free}", project.Free.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        result.ExitCode.ShouldBe(2, result.Stdout + result.Stderr);
        result.Stdout.ShouldBeEmpty();
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        lines.Length.ShouldBe(1, result.Stderr);
        lines[0].ShouldMatch(@"^pbdeploy: error: /\S+?(:\d+:\d+)?: \S");
        lines[0].ShouldBe(expected);
        result.Stderr.ShouldNotContain("   at ");
        result.Stderr.ShouldNotContain("Exception");

        // Nothing started, written or stopped.
        project.Listing().ShouldBe(project.Before, "no file was written, changed or removed in the project folder");
        new ProcessFinder().FindPortOwner(project.Port).State.ShouldBe(ServiceState.Stopped, "the sentinel server was not started");
        new ProcessFinder().FindPortOwner(project.Free).State.ShouldBe(ServiceState.Stopped);
        var owner = new ProcessFinder().FindPortOwner(live.Service.Port);
        owner.State.ShouldBe(ServiceState.Running, "the live server was not stopped");
        owner.Pid.ShouldBe(live.Service.Pid);
    }

    private sealed record Project(TempDirectory Dir, string Name, int Port, int Free, IReadOnlyList<string> Before)
    {
        /// <summary>Copies the case into <paramref name="dir"/> with its ports filled in.</summary>
        public static Project Prepare(TempDirectory dir, string name, int livePort)
        {
            var port = TestService.FreePort();
            var free = TestService.FreePort();
            File.Copy(TestService.Script, dir.Combine("testservice.py"));
            File.WriteAllText(dir.Combine("sentinel.conf.template"), "port {port}\n");
            foreach (var file in Directory.GetFiles(Folder, name + ".*"))
            {
                var suffix = Path.GetFileName(file)[(name.Length + 1)..];
                if (suffix is "json")
                {
                    // Byte-wise, so that invalid UTF-8 stays invalid; ports padded to the placeholder's width keep every column.
                    var bytes = File.ReadAllBytes(file);
                    bytes = Fill(bytes, "__PORT__", port);
                    bytes = Fill(bytes, "__LIVE__", livePort);
                    bytes = Fill(bytes, "__FREE__", free);
                    File.WriteAllBytes(dir.Combine("pbdeploy.json"), bytes);
                }
                else if (suffix is not "expected")
                {
                    File.Copy(file, dir.Combine(suffix), overwrite: true);
                }
            }

            var project = new Project(dir, name, port, free, []);
            return project with { Before = project.Listing() };
        }

        /// <summary>Every file and folder under the project, with its size and modification time.</summary>
        public IReadOnlyList<string> Listing() =>
        [
            .. Directory.GetFileSystemEntries(Dir.Path, "*", SearchOption.AllDirectories)
                .Where(p => !Path.GetFileName(p).StartsWith("stdout-", StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith("stderr-", StringComparison.Ordinal))
                .Select(p => $"{Path.GetRelativePath(Dir.Path, p)} {(File.Exists(p) ? new FileInfo(p).Length : -1)} {File.GetLastWriteTimeUtc(p):O}")
                .Order(StringComparer.Ordinal),
        ];

        private static byte[] Fill(byte[] bytes, string placeholder, int value)
        {
            var from = Encoding.ASCII.GetBytes(placeholder);
            var to = Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture).PadRight(placeholder.Length));
            var output = new List<byte>(bytes.Length);
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes.AsSpan(i).StartsWith(from))
                {
                    output.AddRange(to);
                    i += from.Length - 1;
                }
                else
                {
                    output.Add(bytes[i]);
                }
            }

            return [.. output];
        }
    }

    /// <summary>A real server on an OS-given port that a bad manifest names (with a restart that would kill it): it must survive every case.</summary>
    public sealed class LiveListener : IAsyncLifetime, IDisposable
    {
        private readonly TempDirectory _dir = new("bad-input-live");

        public TestService Service { get; private set; } = null!;

        public async Task InitializeAsync() => Service = await TestService.StartAsync(_dir);

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose()
        {
            Service?.Dispose();
            _dir.Dispose();
        }
    }
}
