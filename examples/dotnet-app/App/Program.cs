// The app PbDeploy deploys in examples/dotnet-app: it answers which build it is and which process serves it.
const string Build = "build 1";

var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => $"Hello from {Build}, pid {Environment.ProcessId}\n");
app.Run();
