// Deploys examples/quickstart with PbDeploy's own Cake addin: the tasks below are generated from its pbdeploy.json.
// build.cake runs this script after Build, with the addin freshly built and copied to artifacts/cake-addin
// (a #r cannot be part of build.cake itself: Cake compiles that script before our code is built).
//   ./build.sh --target=Demo [--quick]     Before, StartOrRestart, After of the quickstart's services, then their status
//   ./build.sh --target=DemoStop           Stop them, then their status
// Directly, once built: dotnet cake build/deploy.cake --target=Deploy:web | --target=Stop | --description

#r "../artifacts/cake-addin/Cake.PbDeploy.dll"

var manifest = "../examples/quickstart/pbdeploy.json";
var deploy = PbDeployTasks(manifest);

Task("Status")
    .Description("Shows what runs for each service of examples/quickstart.")
    .Does(() =>
{
    foreach (var status in PbDeployStatus(manifest))
    {
        Information("{0,-4} port {1}: {2}{3}", status.Name, status.Port, status.State, status.Pid is int pid ? $", pid {pid}" : "");
    }
});

Task("Demo")
    .Description("Deploys examples/quickstart, then shows the status.")
    .IsDependentOn(deploy["Deploy"])
    .IsDependentOn("Status");

Task("DemoStop")
    .Description("Stops the services of examples/quickstart, then shows the status.")
    .IsDependentOn(deploy["Stop"])
    .IsDependentOn("Status");

RunTarget(Argument("target", "Demo"));
