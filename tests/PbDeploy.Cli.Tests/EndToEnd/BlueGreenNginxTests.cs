using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PbDeploy.Cli.Tests.Support;
using PbDeploy.Tests.Support;
using Xunit.Abstractions;
using static PbDeploy.Cli.Tests.EndToEnd.RealServices;

namespace PbDeploy.Cli.Tests.EndToEnd;

/// <summary>
/// Blue-green by port behind Debian's nginx: a <c>daemonizes: false</c> Python app on <c>"ports": [A, B]</c>, nginx in
/// front proxying to <c>{services.app.port}</c> and reloading on HUP. A client that keeps asking through nginx during a
/// redeploy never sees a failed request.
/// </summary>
public sealed class BlueGreenNginxTests(ITestOutputHelper output)
{
    [Fact(Timeout = 180_000)]
    public async Task A_client_hitting_nginx_during_a_blue_green_redeploy_sees_no_failed_request_then_the_new_version()
    {
        Require("nginx", "nginx");
        using var dir = new TempDirectory();
        var (a, b, nginxPort) = (TestService.FreePort(), TestService.FreePort(), TestService.FreePort());
        using var cleanup = new PortCleanup(nginxPort, a, b);
        using var nginxCleanup = new PidfileCleanup(dir.Combine("run", "nginx.pid"));
        var manifest = WriteProject(dir, a, b, nginxPort, "v1");

        var deploy = await Pbdeploy.RunAsync("deploy", "--manifest", manifest);
        deploy.ExitCode.ShouldBe(0, deploy.Stdout + deploy.Stderr);
        var first = await StatusAsync(manifest, "app");
        first.Port.ShouldBe(a, "a first deploy uses the first port");
        (await GetAsync(nginxPort)).ShouldBe("v1\n");
        var nginx = await StatusAsync(manifest, "nginx");

        // A client asking through nginx, one request after the other, each with a timeout, all through the redeploy.
        await using var client = LoopingClient.Start(nginxPort);
        await client.WaitForAnswersAsync(20, after: 0, "20 answers before the redeploy");

        WriteManifest(manifest, a, b, nginxPort, "v2");
        var before = client.Answers.Count;
        var clock = Stopwatch.StartNew();
        var redeploy = await Pbdeploy.RunAsync("deploy", "--manifest", manifest);
        var switchTime = clock.Elapsed;
        var during = client.Answers.Count;
        redeploy.ExitCode.ShouldBe(0, redeploy.Stdout + redeploy.Stderr);
        await client.WaitForAnswersAsync(20, after: during, "20 answers after the redeploy");
        var answers = await client.StopAsync();

        output.WriteLine(LoopingClient.Describe(answers, during - before, switchTime, "v1\n", "v2\n"));
        output.WriteLine(redeploy.Stdout);
        LoopingClient.ShouldSwitchWithoutAFailedRequest(answers, "v1\n", "v2\n");

        var second = await StatusAsync(manifest, "app");
        second.Port.ShouldBe(b);
        second.State.ShouldBe("running");
        redeploy.Stdout.ShouldContain($"app: new copy ready on port {b}; switching nginx to it, then stopping the copy on port {a}");
        redeploy.Stdout.ShouldContain($"app: restarted, pid {first.Pid} → {second.Pid}");
        IsGone(first.Pid!.Value).ShouldBeTrue("the old copy is gone");
        TestService.IsFree(a).ShouldBeTrue($"port {a} is free");
        File.ReadAllText(dir.Combine("nginx.conf")).ShouldContain($"proxy_pass http://127.0.0.1:{b};");
        (await StatusAsync(manifest, "nginx")).Pid.ShouldBe(nginx.Pid, "nginx reloaded on HUP, keeping its master");
        File.ReadAllText(dir.Combine("logs", "app.log")).ShouldContain("versionapp v1 stopped after finishing its requests", customMessage: "the old copy was stopped gracefully, and its log kept");

        var stopped = await Pbdeploy.RunAsync("stop", "--manifest", manifest);
        stopped.ExitCode.ShouldBe(0, stopped.Stdout + stopped.Stderr);
        IsGone(second.Pid!.Value).ShouldBeTrue();
        foreach (var pid in nginx.Pids)
        {
            IsGone(pid).ShouldBeTrue($"pid {pid} of nginx is still running");
        }

        TestService.IsFree(b).ShouldBeTrue();
        TestService.IsFree(nginxPort).ShouldBeTrue();
    }

    /// <summary>The project: the app, nginx's template (proxy_pass to the app's active port), and the manifest.</summary>
    private static string WriteProject(TempDirectory dir, int a, int b, int nginxPort, string version)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "services", "versionapp.py"), dir.Combine("versionapp.py"));
        Directory.CreateDirectory(dir.Combine("run"));
        Directory.CreateDirectory(dir.Combine("logs"));
        dir.Write("nginx.conf.template", """
            daemon on;
            worker_processes 2;
            pid {project_dir}/run/nginx.pid;
            error_log {project_dir}/logs/nginx-error.log;
            events { worker_connections 64; }
            http {
                access_log {project_dir}/logs/nginx-access.log;
                client_body_temp_path {project_dir}/run/client_body;
                proxy_temp_path {project_dir}/run/proxy;
                fastcgi_temp_path {project_dir}/run/fastcgi;
                uwsgi_temp_path {project_dir}/run/uwsgi;
                scgi_temp_path {project_dir}/run/scgi;
                server {
                    listen 127.0.0.1:{port};
                    location / {
                        proxy_pass http://127.0.0.1:{services.app.port};
                    }
                }
            }
            """);

        // nginx's workers (nobody, when nginx runs as root) use the temp folders under run/: let others in.
        foreach (var folder in (string[])[Path.GetDirectoryName(dir.Path)!, dir.Path, dir.Combine("run")])
        {
            File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var manifest = dir.Combine("pbdeploy.json");
        WriteManifest(manifest, a, b, nginxPort, version);
        return manifest;
    }

    private static void WriteManifest(string path, int a, int b, int nginxPort, string version)
    {
        var manifest = new JsonObject
        {
            ["variables"] = new JsonObject { ["version"] = version },
            ["services"] = new JsonObject
            {
                ["app"] = new JsonObject
                {
                    ["ports"] = new JsonArray(a, b),
                    ["start"] = "exec python3 {project_dir}/versionapp.py --port {port} --version {version} --delay 0.02",
                    ["daemonizes"] = false,
                    ["log"] = "logs/app.log",
                    ["start_timeout"] = 20,
                },
                ["nginx"] = new JsonObject
                {
                    ["port"] = nginxPort,
                    ["start"] = "nginx -p {project_dir}/ -c {project_dir}/nginx.conf -e {project_dir}/logs/nginx-error.log",
                    ["restart"] = "kill -s HUP {pid}",
                    ["templates"] = new JsonArray("nginx.conf.template"),
                    ["depends_on"] = new JsonArray("app"),
                },
            },
        };
        File.WriteAllText(path, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
