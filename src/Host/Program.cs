using Sigs.Host.Cli;

return await SigsCli.RunAsync(args, Console.Out, Console.Error);
