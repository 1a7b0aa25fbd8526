using PbDeploy.Manifest;
using PbDeploy.Tests.Support;

namespace PbDeploy.Tests.Manifest;

/// <summary>The <c>shell</c> setting as loaded, and the warning for bash-only syntax in commands run by /bin/sh.</summary>
public sealed class ShellSettingTests
{
    [Fact]
    public void Commands_run_with_bin_sh_by_default_the_top_level_shell_applies_to_every_service_and_a_service_overrides_it()
    {
        using var dir = new TempDirectory();
        var plain = ManifestLoader.Load(dir.Write("plain.json", """{ "services": { "web": { "port": 8000, "start": "serve" } } }"""));
        var manifest = ManifestLoader.Load(dir.Write("pbdeploy.json", """
            {
              "shell": "bash",
              "services": {
                "web": { "port": 8000, "start": "serve" },
                "db": { "port": 8001, "start": "serve", "shell": "/usr/bin/zsh" },
                "sh": { "port": 8002, "start": "serve", "shell": "sh" },
                "nulled": { "port": 8003, "start": "serve", "shell": null }
              }
            }
            """));

        plain.GetService("web").Shell.ShouldBe("/bin/sh");
        manifest.GetService("web").Shell.ShouldBe("bash");
        manifest.GetService("db").Shell.ShouldBe("/usr/bin/zsh");
        manifest.GetService("sh").Shell.ShouldBe("sh");
        manifest.GetService("nulled").Shell.ShouldBe("bash", "null is absent: the top level's applies");
        manifest.Warnings.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{ "shell": "zsh", "services": { "web": { "port": 8000, "start": "serve" } } }""", 1, 12,
        "shell: \"zsh\" is not a shell PbDeploy knows; give \"sh\" (/bin/sh, the default), \"bash\" (bash found on PATH) or an absolute path such as \"/usr/bin/zsh\"")]
    [InlineData("""{ "services": { "web": { "port": 8000, "start": "serve", "shell": "bin/bash" } } }""", 1, 67,
        "services.web.shell: \"bin/bash\" is not a shell PbDeploy knows; give \"sh\" (/bin/sh, the default), \"bash\" (bash found on PATH) or an absolute path such as \"/usr/bin/zsh\"")]
    [InlineData("""{ "services": { "web": { "port": 8000, "start": "serve", "shell": "" } } }""", 1, 67,
        "services.web.shell: must not be empty; leave the key out (or set it to null) for the default")]
    [InlineData("""{ "services": { "web": { "port": 8000, "start": "serve", "shell": true } } }""", 1, 67,
        "services.web.shell: must be a string, got true")]
    public void A_bad_shell_is_refused_with_its_line_and_column(string json, int line, int column, string problem)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", json);

        var error = Should.Throw<ManifestException>(() => ManifestLoader.Load(path));

        error.Message.ShouldBe($"{path}:{line}:{column}: {problem}");
    }

    [Theory]
    [InlineData("kill -s SIGHUP {pid}", "kill -s SIGHUP")]
    [InlineData("kill -SIGUSR2 {pid}", "kill -SIGUSR2")]
    [InlineData("[[ -f x ]] && echo yes", "[[")]
    [InlineData("test -f x || [[ -d y ]]", "[[")]
    [InlineData("function setup { true; }; setup", "function setup")]
    [InlineData("source env/bin/activate && serve", "source")]
    [InlineData("cd app; source .env", "source")]
    [InlineData("printf $'a\\tb'", "$'")]
    [InlineData("diff <(sort a) b", "<(")]
    [InlineData("cp app.conf{,.bak}", "{,.bak}")]
    [InlineData("mkdir -p logs/{a,b}", "{a,b}")]
    [InlineData("echo {1..3}", "{1..3}")]
    [InlineData("[ \"$APP_ENV\" == production ] && serve", "==")]
    [InlineData("serve &> out.log", "&>")]
    [InlineData("serve |& tee out.log", "|&")]
    [InlineData("shopt -s globstar; ls **", "shopt")]
    [InlineData("declare -x A=1 && serve", "declare")]
    [InlineData("pushd app && make && popd", "pushd")]
    [InlineData("cd app && popd", "popd")]
    public void Bash_only_syntax_in_a_command_run_by_bin_sh_is_a_warning_naming_the_construct(string command, string construct)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": 8000, "start": "serve", "after": ["true", {{System.Text.Json.JsonSerializer.Serialize(command)}}] } } }
            """);

        var manifest = ManifestLoader.Load(path);

        var warning = manifest.Warnings.ShouldHaveSingleItem();
        warning.Message.ShouldStartWith($"services.web.after[1]: {construct} is bash syntax (");
        warning.Message.ShouldContain("this command runs with /bin/sh; set \"shell\": \"bash\" in the service or at the top level");
        warning.Location.Line.ShouldBe(1);
    }

    [Theory]
    [InlineData("kill -s HUP {pid}")]
    [InlineData("kill -HUP {pid}")]
    [InlineData("echo 'kill -s SIGHUP' \"[[ x ]]\" '{a,b}'")]
    [InlineData("bash -c '[[ -f x ]] && source y'")]
    [InlineData("echo done # [[ later ]]")]
    [InlineData("[ \"$A\" = b ] && serve")]
    [InlineData(". env/bin/activate && echo source")]
    [InlineData("echo ${HOME} {port} {{a,b}}")]
    [InlineData("serve > out.log 2>&1")]
    [InlineData("awk '{print $1}' a | sort")]
    [InlineData("echo a==b; [ -n \"$x\" ]")]
    [InlineData("echo \\[\\[ x")]
    [InlineData("echo declare pushd; serve --shopt")]
    public void Sh_syntax_and_bash_syntax_in_quotes_or_comments_is_no_warning(string command)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", $$"""
            { "services": { "web": { "port": 8000, "start": {{System.Text.Json.JsonSerializer.Serialize(command)}} } } }
            """);

        ManifestLoader.Load(path).Warnings.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{ "shell": "bash", "services": { "web": { "port": 8000, "start": "serve", "restart": "kill -s SIGHUP {pid}" } } }""")]
    [InlineData("""{ "services": { "web": { "port": 8000, "start": "serve", "restart": "kill -s SIGHUP {pid}", "shell": "bash" } } }""")]
    [InlineData("""{ "services": { "web": { "port": 8000, "start": "serve", "restart": "kill -s SIGHUP {pid}", "shell": "/bin/bash" } } }""")]
    public void Bash_syntax_is_no_warning_when_the_service_runs_its_commands_with_bash(string json)
    {
        using var dir = new TempDirectory();

        ManifestLoader.Load(dir.Write("pbdeploy.json", json)).Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void The_warning_names_the_setting_and_points_at_the_construct()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("pbdeploy.json", """
            {
              "services": {
                "nginx": {
                  "port": 8080,
                  "start": "nginx -c {project_dir}/nginx.conf",
                  "restart": "kill -s SIGHUP {pid}"
                }
              }
            }
            """);

        var warning = ManifestLoader.Load(path).Warnings.ShouldHaveSingleItem();

        warning.ToString().ShouldBe(
            $"{path}:6:19: services.nginx.restart: kill -s SIGHUP is bash syntax (a signal name with the SIG prefix, which dash's kill refuses), "
            + "and this command runs with /bin/sh; set \"shell\": \"bash\" in the service or at the top level, or name the signal without SIG (kill -s HUP)");
    }
}
