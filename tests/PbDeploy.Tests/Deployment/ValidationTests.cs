using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Templating;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

/// <summary>A bad command or template stops the run before anything is started, stopped or written.</summary>
public sealed class ValidationTests
{
    [Fact(Timeout = 60_000)]
    public async Task An_unknown_variable_in_any_command_fails_the_open_and_nothing_runs()
    {
        await using var scene = new DeployScene();
        var okPort = scene.Port();
        var ok = scene.Server("ok", port: okPort);
        ok["before"] = "echo ran > {project_dir}/ran.txt";
        var bad = scene.Server("bad");
        bad["after"] = "echo {no_such_variable}";
        _ = scene.Write();

        var error = await Should.ThrowAsync<TemplateException>(() => scene.Deployer().OpenAsync(new DeployOptions(), Timeout(30)));

        error.Message.ShouldContain("no_such_variable");
        error.Message.ShouldContain(scene.ManifestPath);
        File.Exists(scene.Dir.Combine("ran.txt")).ShouldBeFalse();
        Directory.Exists(scene.Dir.Combine(".pbdeploy")).ShouldBeFalse();
        Owner(okPort).State.ShouldBe(ServiceState.Stopped);
        scene.Events.ShouldBeEmpty();
        await Should.ThrowAsync<TemplateException>(() => scene.DeployAsync());
        Owner(okPort).State.ShouldBe(ServiceState.Stopped);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pid_in_the_start_command_fails_the_open()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", "--pidfile {project_dir}/run/{pid}.pid", port);
        _ = scene.Write();

        var error = await Should.ThrowAsync<PbDeployException>(() => scene.Deployer().OpenAsync(new DeployOptions(), Timeout(30)));

        error.Message.ShouldContain("pid");
        Owner(port).State.ShouldBe(ServiceState.Stopped);
        Directory.Exists(scene.Dir.Combine(".pbdeploy")).ShouldBeFalse();
        scene.LiveProcesses().ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_template_file_fails_the_deploy_before_any_file_is_written()
    {
        await using var scene = new DeployScene();
        var okPort = scene.Port();
        scene.Dir.Write("good.conf.template", "listen {port};\n");
        scene.Dir.Write("bad.conf.template", "server {port} {missing.key};\n");
        scene.Server("ok", port: okPort)["templates"] = new System.Text.Json.Nodes.JsonArray("good.conf.template");
        scene.Server("bad")["templates"] = new System.Text.Json.Nodes.JsonArray("bad.conf.template");
        _ = scene.Write();

        var error = await Should.ThrowAsync<TemplateException>(() => scene.DeployAsync());

        error.Message.ShouldStartWith(scene.Dir.Combine("bad.conf.template") + ":1:");
        error.Message.ShouldContain("unknown variable 'missing'");
        File.Exists(scene.Dir.Combine("good.conf")).ShouldBeFalse();
        File.Exists(scene.Dir.Combine("bad.conf")).ShouldBeFalse();
        Owner(okPort).State.ShouldBe(ServiceState.Stopped);
        scene.LiveProcesses().ShouldBeEmpty();
    }
}
