using Cake.PbDeploy.Tests.Support;
using PbDeploy.Processes;
using PbDeploy.Tests.Support;

namespace Cake.PbDeploy.Tests;

/// <summary>The three ways Cake users set settings: properties, <c>With...</c> chains and <c>Action&lt;TSettings&gt;</c>.</summary>
public sealed class SettingsTests
{
    [Fact(Timeout = 300_000)]
    public async Task Settings_set_by_property_by_With_chain_and_by_action_take_effect_in_the_aliases_and_the_tasks()
    {
        using var dir = new TempDirectory();
        var port = TestService.FreePort();
        using var cleanup = new PortCleanup(port);
        // Each before adds a line to before.txt: the count after each step says whether quick skipped it.
        _ = Manifests.Write(dir, $$"""
            "web": {{Manifests.Server(port, extra: """, "before": "echo ran >> before.txt" """)}}
            """);
        var script = AddinPackage.Directive + """
            string Befores() => FileExists("before.txt") ? System.IO.File.ReadAllLines(MakeAbsolute(File("before.txt")).FullPath).Length.ToString() : "0";

            // Action<PbDeployTaskSettings> and With... chains: a prefix, and Quick false whatever --quick says.
            var deploy = PbDeployTasks("pbdeploy.json", s => s.WithTaskPrefix("Site.").WithQuick(false).WithLockTimeout(TimeSpan.FromSeconds(30)));
            Task("Check").IsDependentOn(deploy["Deploy"]).Does(() =>
            {
                Information("tasks: befores {0}", Befores());
                PbDeployStop("pbdeploy.json", s => s.Services.Add("web"));

                var settings = new PbDeploySettings();
                settings.Quick = HasArgument("quick");   // settable, not init-only
                settings.Services = new List<string> { "web" };
                PbDeploy("pbdeploy.json", settings);
                Information("property: befores {0}", Befores());
                PbDeployStop("pbdeploy.json", new PbDeploySettings().WithServices("web"));

                PbDeploy("pbdeploy.json", new PbDeploySettings().WithServices("web").WithQuick(false).WithNoDependencies().WithLockTimeout(TimeSpan.FromSeconds(30)));
                Information("with: befores {0}", Befores());
                PbDeployStop("pbdeploy.json", s => s.WithServices("web"));

                var quick = PbDeploy("pbdeploy.json", s => s.Quick = true);
                Information("action: befores {0}, web {1}", Befores(), quick.Outcomes.Last().Action);
                PbDeployStop("pbdeploy.json", s => s.LockTimeout = TimeSpan.FromSeconds(30));
                Information("stopped: {0}", PortOwner(PbDeployStatus("pbdeploy.json").Single().Port.Value)?.ToString() ?? "none");
            });
            RunTarget("Check");
            """;

        var run = await CakeRunner.RunAsync(dir, script, AddinPackage.SourceArgument, "--quick");

        run.ExitCode.ShouldBe(0, run.Output);
        run.IndexOf("Site.Deploy");
        run.Output.ShouldContain("tasks: befores 1");      // WithQuick(false) beat --quick
        run.Output.ShouldContain("property: befores 1");   // settings.Quick = HasArgument("quick"): skipped
        run.Output.ShouldContain("with: befores 2");       // WithQuick(false): ran
        run.Output.ShouldContain("action: befores 2, web Started"); // s => s.Quick = true: skipped
        run.Output.ShouldContain("stopped: none");
        new ProcessFinder().FindPortOwner(port).State.ShouldBe(ServiceState.Stopped);
    }
}
