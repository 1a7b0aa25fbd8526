using PbDeploy.Cli;

return await App.RunAsync(args, Console.Out, Console.Error);
