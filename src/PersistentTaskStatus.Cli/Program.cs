using PersistentTaskStatus.Cli;

// pts: see README.md beside this file. Everything runs through PtsCli.RunAsync, which the tests call in-process.
return await PtsCli.RunAsync(args, CliEnvironment.FromConsole());
