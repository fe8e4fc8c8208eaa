using Sigs.Host.Cli;
using Sigs.Host.Configuration;

SchemaValidation.WarmUpInBackground(); // overlaps the command line's parsing and the first reads

return await SigsCli.RunAsync(args, Console.Out, Console.Error);
