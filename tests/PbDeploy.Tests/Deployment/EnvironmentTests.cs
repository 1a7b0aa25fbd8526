using PbDeploy.Deployment;
using PbDeploy.Processes;
using PbDeploy.Tests.Deployment.Support;
using static PbDeploy.Tests.Deployment.Support.DeployScene;

namespace PbDeploy.Tests.Deployment;

public sealed class EnvironmentTests
{
    [Fact(Timeout = 60_000)]
    public async Task Commands_and_the_server_run_in_cwd_relative_to_the_project_dir()
    {
        await using var scene = new DeployScene();
        Directory.CreateDirectory(scene.Dir.Combine("app"));
        var web = scene.Server("web");
        web["cwd"] = "app";
        web["before"] = "pwd > before-cwd.txt";

        var outcome = Outcome(await scene.DeployAsync(), "web");

        outcome.Action.ShouldBe(ServiceAction.Started);
        File.ReadAllText(scene.Dir.Combine("app", "before-cwd.txt")).ShouldBe(scene.Dir.Combine("app") + "\n");
        new DirectoryInfo($"/proc/{outcome.Pid}/cwd").LinkTarget.ShouldBe(scene.Dir.Combine("app"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_cwd_fails_the_service_and_names_the_folder()
    {
        await using var scene = new DeployScene();
        var port = scene.Port();
        scene.Server("web", port: port)["cwd"] = "no/such/folder";

        var result = await scene.DeployAsync();

        var outcome = Outcome(result, "web");
        outcome.Action.ShouldBe(ServiceAction.Failed);
        outcome.Message.ShouldBe(
            $"the working folder {scene.Dir.Combine("no", "such", "folder")} (cwd of service 'web') does not exist; create it, or fix 'cwd' in the manifest.");
        result.Succeeded.ShouldBeFalse();
        Owner(port).State.ShouldBe(ServiceState.Stopped);
        scene.LiveProcesses().ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_cwd_fails_before_commands_too()
    {
        await using var scene = new DeployScene();
        var web = scene.Server("web");
        web["cwd"] = "missing";
        web["before"] = "echo ran > {project_dir}/ran.txt";

        var result = await scene.DeployAsync();

        Outcome(result, "web", Phase.Before).Action.ShouldBe(ServiceAction.Failed);
        Outcome(result, "web", Phase.Before).Message!.ShouldContain("(cwd of service 'web') does not exist");
        result.Outcomes.ShouldHaveSingleItem("a failed before ends the service's pipeline: no start, no after");
        File.Exists(scene.Dir.Combine("ran.txt")).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task The_manifest_and_service_env_and_PORT_reach_commands_and_the_server()
    {
        await using var scene = new DeployScene();
        scene.Env["APP_ENV"] = "production";
        scene.Env["SHARED"] = "from the manifest";
        var port = scene.Port();
        var web = scene.Server("web", port: port);
        web["env"] = new System.Text.Json.Nodes.JsonObject { ["SHARED"] = "from the service", ["ONLY_WEB"] = "yes" };
        web["before"] = "echo \"$PORT $APP_ENV $SHARED $ONLY_WEB\" > {project_dir}/env.txt";
        var other = scene.Server("other");
        other["before"] = "echo \"$PORT $APP_ENV ${ONLY_WEB:-unset}\" > {project_dir}/other-env.txt";

        var result = await scene.DeployAsync();

        result.Succeeded.ShouldBeTrue();
        scene.Lines("env.txt").ShouldBe([$"{port} production from the service yes"]);
        scene.Lines("other-env.txt").ShouldBe([$"{scene.Manifest!.GetService("other").Port} production unset"]);
        var environ = File.ReadAllText($"/proc/{Outcome(result, "web").Pid}/environ").Split('\0');
        environ.ShouldContain($"PORT={port}");
        environ.ShouldContain("APP_ENV=production");
        environ.ShouldContain("SHARED=from the service");
    }
}
