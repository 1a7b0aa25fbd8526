using PbDeploy.Deployment;
using PbDeploy.Manifest;
using PbDeploy.Templating;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Templating;

/// <summary>Variables in template paths (the Python tool's <c>{project_dir}/nginx.conf.template</c>), rendered before any check.</summary>
public sealed class TemplatePathTests
{
    [Fact]
    public void Variables_in_the_source_and_the_target_path_are_rendered_as_in_template_contents()
    {
        using var dir = new TempDirectory();
        dir.Write("conf/site.conf.template", "listen {port};\n");
        dir.Write("conf/app.ini.template", "name={name}\n");
        Directory.CreateDirectory(dir.Combine("out"));
        var manifest = ManifestLoader.Load(dir.Write("pbdeploy.json", """
            {
              "variables": { "conf_dir": "conf" },
              "services": {
                "web": {
                  "port": 8080, "start": "serve", "out_dir": "out",
                  "templates": [
                    "{project_dir}/{conf_dir}/site.conf.template",
                    { "source": "{conf_dir}/app.ini.template", "target": "{out_dir}/app-{port}.ini" }
                  ]
                }
              }
            }
            """));

        var rendered = TemplateRun.Render(manifest, manifest.Services).ShouldHaveSingleItem();

        rendered.Files.ShouldBe([
            new RenderedFile(dir.Combine("conf", "site.conf.template"), dir.Combine("conf", "site.conf"), Changed: true),
            new RenderedFile(dir.Combine("conf", "app.ini.template"), dir.Combine("out", "app-8080.ini"), Changed: true),
        ]);
        File.ReadAllText(dir.Combine("conf", "site.conf")).ShouldBe("listen 8080;\n");
        File.ReadAllText(dir.Combine("out", "app-8080.ini")).ShouldBe("name=web\n");
    }

    [Theory]
    [InlineData("\"{conf_dri}/site.conf.template\"", 6, 22)]
    [InlineData("{ \"source\": \"site.conf.template\", \"target\": \"{out}/site.conf\" }", 6, 66)]
    public void An_unknown_variable_in_a_template_path_is_the_usual_one_line_error_at_its_place_and_nothing_is_written(string template, int line, int column)
    {
        using var dir = new TempDirectory();
        dir.Write("site.conf.template", "listen {port};\n");
        var path = dir.Write("pbdeploy.json", $$"""
            {
              "variables": { "conf_dir": "." },
              "services": {
                "web": {
                  "port": 8080, "start": "serve",
                  "templates": [{{template}}]
                }
              }
            }
            """);
        var manifest = ManifestLoader.Load(path);

        var error = Should.Throw<TemplateException>(() => TemplateRun.Render(manifest, manifest.Services));

        error.Message.ShouldStartWith($"{path}:{line}:{column}: unknown variable '");
        error.Message.ShouldContain("conf_dir");
        File.Exists(dir.Combine("site.conf")).ShouldBeFalse();
    }

    [Fact]
    public void The_trust_checks_apply_to_the_rendered_target_a_folder_anyone_can_write_is_refused()
    {
        using var dir = new TempDirectory();
        var shared = OtherUser.SharedFolder(dir, "open", sticky: false);
        dir.Write("app.conf.template", "listen {port}\n");
        var path = dir.Write("pbdeploy.json", """
            {
              "variables": { "shared": "open" },
              "services": {
                "web": {
                  "port": 8080, "start": "serve",
                  "templates": [{ "source": "app.conf.template", "target": "{shared}/app.conf" }]
                }
              }
            }
            """);
        var manifest = ManifestLoader.Load(path);

        var error = Should.Throw<PbDeployException>(() => TemplateRun.Render(manifest, manifest.Services));

        error.Message.ShouldBe(
            $"{shared}/app.conf: the target of template app.conf.template of service 'web' must not be written: its folder {shared} is writable by other users "
            + "(mode 0777) and not sticky, so another user could put a link there; make the folder writable only by its owner, or choose another place "
            + $"({path}:6:21).");
        Directory.GetFileSystemEntries(shared).ShouldBeEmpty();
    }

    [Fact]
    public void The_trust_checks_apply_to_the_rendered_source_a_template_others_can_write_is_refused()
    {
        using var dir = new TempDirectory();
        var template = dir.Write("conf/run.sh.template", "#!/bin/sh\n");
        File.SetUnixFileMode(template, (UnixFileMode)0b110_110_110);
        var path = dir.Write("pbdeploy.json", """
            {
              "variables": { "conf": "conf" },
              "services": { "web": { "port": 8080, "start": "serve", "templates": ["{conf}/run.sh.template"] } }
            }
            """);
        var manifest = ManifestLoader.Load(path);

        var error = Should.Throw<PbDeployException>(() => TemplateRun.Render(manifest, manifest.Services));

        error.Message.ShouldBe(
            $"{template}: the template is writable by other users (mode 0666), any of them, who could make it say anything (listed in templates of service 'web' at {path}:3:72); "
            + "use a template of yours that only you can write, or if you trust that user, set PBDEPLOY_TRUSTED_OWNERS.");
        File.Exists(dir.Combine("conf", "run.sh")).ShouldBeFalse();
    }
}
