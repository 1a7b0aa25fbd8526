using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;

namespace PbDeploy.Cli.Tests;

public sealed class RenderCommandTests
{
    [Fact(Timeout = 60_000)]
    public async Task Render_writes_each_template_and_says_which_changed()
    {
        using var dir = new TempDirectory();
        dir.Write("nginx.conf.template", "events { }\nhttp { server { listen {port}; root {project_dir}/www; } }\n");
        dir.Write("app.ini.template", "[app]\ndomain = {domain}\n");
        var port = TestService.FreePort();
        var manifest = dir.Write("pbdeploy.json", $$"""
            {
              "variables": { "domain": "example.org" },
              "services": {
                "nginx": { "port": {{port}}, "start": "true", "templates": ["nginx.conf.template"] },
                "app": { "port": {{TestService.FreePort()}}, "start": "true", "templates": ["app.ini.template"] }
              }
            }
            """);

        var first = await Pbdeploy.RunAsync("render", "--manifest", manifest);
        var second = await Pbdeploy.RunAsync("render", "nginx", "--manifest", manifest);

        first.ExitCode.ShouldBe(0, first.Stderr);
        first.Stdout.ShouldBe($"manifest: {manifest}\nnginx: nginx.conf written\napp: app.ini written\n");
        File.ReadAllText(dir.Combine("nginx.conf")).ShouldBe($"events {{ }}\nhttp {{ server {{ listen {port}; root {dir.Path}/www; }} }}\n");
        File.ReadAllText(dir.Combine("app.ini")).ShouldBe("[app]\ndomain = example.org\n");
        second.Stdout.ShouldBe($"manifest: {manifest}\nnginx: nginx.conf unchanged\n");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_template_in_any_service_writes_no_file_and_exits_2()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf.template", "fine {port}\n");
        dir.Write("b.conf.template", "line one\nbroken {domian}\n");
        var manifest = dir.Write("pbdeploy.json", $$"""
            {
              "variables": { "domain": "example.org" },
              "services": {
                "a": { "port": {{TestService.FreePort()}}, "start": "true", "templates": ["a.conf.template"] },
                "b": { "port": {{TestService.FreePort()}}, "start": "true", "templates": ["b.conf.template"] }
              }
            }
            """);

        var result = await Pbdeploy.RunAsync("render", "--manifest", manifest);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldStartWith($"pbdeploy: error: {dir.Combine("b.conf.template")}:2:8: unknown variable 'domian'; did you mean 'domain'?");
        result.Stderr.Trim().Split('\n').Length.ShouldBe(1);
        File.Exists(dir.Combine("a.conf")).ShouldBeFalse();
        File.Exists(dir.Combine("b.conf")).ShouldBeFalse();
        Directory.GetFiles(dir.Path, "*pbdeploy-tmp*").ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_template_using_pid_renders_the_running_master()
    {
        using var dir = new TempDirectory();
        using var web = await TestService.StartAsync(dir, "--workers", "2");
        dir.Write("web.pid.template", "{pid}\n{pids}\n");
        var manifest = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": {{web.Port}}, "start": "true", "templates": ["web.pid.template"] } } }
            """);

        var result = await Pbdeploy.RunAsync("render", "--manifest", manifest);

        result.ExitCode.ShouldBe(0, result.Stderr);
        File.ReadAllText(dir.Combine("web.pid")).ShouldBe($"{web.Pid}\n{string.Join(' ', web.Workers.Append(web.Pid).Order())}\n");
    }
}
