using System.Runtime.Versioning;
using System.Text;
using PbDeploy.Manifest;
using PbDeploy.Templating;
using PbDeploy.Tests.Support;
using static PbDeploy.Tests.Templating.TestManifest;

namespace PbDeploy.Tests.Templating;

public class TemplateWriterTests
{
    private static (DeployManifest Manifest, ServiceDefinition Service, VariableScope Scope) Setup(TempDirectory dir, params string[] templates)
    {
        var list = string.Join(", ", templates.Select(t => $"\"{t}\""));
        var service = Service("nginx", $$"""{ "port": 8080, "templates": [{{list}}] }""", dir.Path);
        var manifest = NewManifest("""{ "domain": "example.org" }""", dir.Path, service);
        return (manifest, service, VariableScope.ForService(manifest, service, null));
    }

    private static IReadOnlyList<RenderedFile> Write((DeployManifest Manifest, ServiceDefinition Service, VariableScope Scope) setup) =>
        TemplateWriter.Write(setup.Manifest, setup.Service, setup.Scope);

    [Fact]
    public void A_template_is_rendered_to_the_file_without_the_template_suffix()
    {
        using var dir = new TempDirectory();
        dir.Write("nginx.conf.template", "server {\n    listen {port};\n    server_name {domain};\n}\n");

        var written = Write(Setup(dir, "nginx.conf.template"));

        File.ReadAllText(dir.Combine("nginx.conf")).ShouldBe("server {\n    listen 8080;\n    server_name example.org;\n}\n");
        written.ShouldBe([new RenderedFile(dir.Combine("nginx.conf.template"), dir.Combine("nginx.conf"), Changed: true)]);
    }

    [Fact]
    public void An_explicit_target_in_a_subfolder_is_written_there()
    {
        using var dir = new TempDirectory();
        dir.Write("templates/site.conf", "{name}");
        Directory.CreateDirectory(dir.Combine("out"));
        var location = new SourceLocation(dir.Combine("pbdeploy.json"), 7, 9);
        var service = Service("nginx", """{ "port": 8080 }""", dir.Path) with { Templates = [new TemplateSpec("templates/site.conf", "out/site.conf", location)] };
        var manifest = NewManifest(projectDir: dir.Path, services: service);

        TemplateWriter.Write(manifest, service, VariableScope.ForService(manifest, service, null));

        File.ReadAllText(dir.Combine("out", "site.conf")).ShouldBe("nginx");
    }

    [Fact]
    public void Line_endings_and_non_ascii_text_are_kept_and_no_byte_order_mark_is_written()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("a.txt.template"), [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("café {port}\r\nline 2\rline 3\n")]);

        Write(Setup(dir, "a.txt.template"));

        File.ReadAllBytes(dir.Combine("a.txt")).ShouldBe(Encoding.UTF8.GetBytes("café 8080\r\nline 2\rline 3\n"));
    }

    [Fact]
    public void The_write_leaves_no_temporary_file_behind()
    {
        using var dir = new TempDirectory();
        dir.Write("nginx.conf.template", "listen {port};");
        dir.Write("nginx.conf", "old content");

        Write(Setup(dir, "nginx.conf.template"));

        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order().ShouldBe(["nginx.conf", "nginx.conf.template"]);
        File.ReadAllText(dir.Combine("nginx.conf")).ShouldBe("listen 8080;");
    }

    [UnixTheory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute)]
    [UnsupportedOSPlatform("windows")]
    public void The_target_gets_the_templates_file_mode(UnixFileMode mode)
    {
        using var dir = new TempDirectory();
        var template = dir.Write("run.sh.template", "#!/bin/sh\nexec serve --port {port}\n");
        File.SetUnixFileMode(template, mode);
        dir.Write("run.sh", "old");

        Write(Setup(dir, "run.sh.template"));

        File.GetUnixFileMode(dir.Combine("run.sh")).ShouldBe(mode);
    }

    [Fact]
    public void An_unchanged_target_is_not_rewritten()
    {
        using var dir = new TempDirectory();
        dir.Write("nginx.conf.template", "listen {port};");
        var target = dir.Write("nginx.conf", "listen 8080;");
        var before = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(target, before);

        var written = Write(Setup(dir, "nginx.conf.template"));

        written.Single().Changed.ShouldBeFalse();
        File.GetLastWriteTimeUtc(target).ShouldBe(before);
    }

    [Fact]
    public void A_changed_target_is_replaced_and_reported_as_changed()
    {
        using var dir = new TempDirectory();
        dir.Write("nginx.conf.template", "listen {port};");
        var target = dir.Write("nginx.conf", "listen 8000;");
        File.SetLastWriteTimeUtc(target, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));

        var written = Write(Setup(dir, "nginx.conf.template"));

        written.Single().Changed.ShouldBeTrue();
        File.ReadAllText(target).ShouldBe("listen 8080;");
        File.GetLastWriteTimeUtc(target).Year.ShouldBeGreaterThan(2020);
    }

    [Fact]
    public void A_bad_second_template_means_the_first_target_is_not_written_either()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf.template", "listen {port};");
        dir.Write("b.conf.template", "ok\nserver_name {domian};\n");

        var error = Should.Throw<TemplateException>(() => Write(Setup(dir, "a.conf.template", "b.conf.template")));

        error.Location.ShouldBe(new SourceLocation(dir.Combine("b.conf.template"), 2, 13));
        error.Problem.ShouldStartWith("unknown variable 'domian'; did you mean 'domain'?");
        File.Exists(dir.Combine("a.conf")).ShouldBeFalse();
        Directory.GetFiles(dir.Path).Length.ShouldBe(2);
    }

    [Fact]
    public void A_missing_template_file_names_the_file_the_service_and_the_manifest_location()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf.template", "{port}");

        var error = Should.Throw<PbDeployException>(() => Write(Setup(dir, "a.conf.template", "nginx.conf.template")));

        error.Message.ShouldBe(
            $"{dir.Combine("pbdeploy.json")}:3:5: template nginx.conf.template of service 'nginx': there is no file {dir.Combine("nginx.conf.template")}; "
            + "create it, or fix the name in the manifest.");
        File.Exists(dir.Combine("a.conf")).ShouldBeFalse();
    }

    [Fact]
    public void A_target_in_a_missing_folder_is_an_error_that_names_the_folder()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf", "{port}");
        var location = new SourceLocation(dir.Combine("pbdeploy.json"), 7, 9);
        var service = Service("nginx", """{ "port": 8080 }""", dir.Path) with { Templates = [new TemplateSpec("a.conf", "missing/a.conf", location)] };
        var manifest = NewManifest(projectDir: dir.Path, services: service);

        var error = Should.Throw<PbDeployException>(() => TemplateWriter.Write(manifest, service, VariableScope.ForService(manifest, service, null)));

        error.Message.ShouldContain($"the folder {dir.Combine("missing")} does not exist");
    }

    // An unwritable folder: FaultTests.A_template_folder_this_user_cannot_write_fails_the_service_in_one_line_keeps_the_old_file_and_starts_nothing
    // in PbDeploy.Cli.Tests runs the real tool as nobody, so it runs under root in CI too (file modes do not stop root).

    [UnixFact]
    public void A_target_that_is_a_symbolic_link_is_refused_and_the_file_it_points_to_is_untouched()
    {
        using var dir = new TempDirectory();
        dir.Write("nginx.conf.template", "listen {port};");
        var real = dir.Write("real/nginx.conf", "old");
        File.CreateSymbolicLink(dir.Combine("nginx.conf"), real);

        var error = Should.Throw<PbDeployException>(() => Write(Setup(dir, "nginx.conf.template")));

        error.Message.ShouldBe(
            $"{dir.Combine("nginx.conf")}: the target of template nginx.conf.template of service 'nginx' is a symbolic link; pbdeploy never writes through a link: "
            + $"remove the link, or point the manifest at the real file ({dir.Combine("pbdeploy.json")}:3:5).");
        new FileInfo(dir.Combine("nginx.conf")).LinkTarget.ShouldBe(real);
        File.ReadAllText(real).ShouldBe("old");
    }

    [Fact]
    public void A_target_that_cannot_be_replaced_is_an_error_that_names_it_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf.template", "{port}");
        dir.Write("a.conf/keep", "a folder where the file should go");

        var error = Should.Throw<PbDeployException>(() => Write(Setup(dir, "a.conf.template")));

        error.Message.ShouldStartWith($"{dir.Combine("a.conf")}: cannot replace it with the rendered template a.conf.template of service 'nginx'");
        Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order().ShouldBe(["a.conf", "a.conf.template"]);
    }

    [Fact]
    public void A_template_whose_target_is_itself_is_refused()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf", "{port}");
        var location = new SourceLocation(dir.Combine("pbdeploy.json"), 7, 9);
        var service = Service("nginx", """{ "port": 8080 }""", dir.Path) with { Templates = [new TemplateSpec("a.conf", "./a.conf", location)] };
        var manifest = NewManifest(projectDir: dir.Path, services: service);

        var error = Should.Throw<PbDeployException>(() => TemplateWriter.Write(manifest, service, VariableScope.ForService(manifest, service, null)));

        error.Message.ShouldContain("the template's target is the template itself");
        File.ReadAllText(dir.Combine("a.conf")).ShouldBe("{port}");
    }
}
