using PersistentTaskStatus.Sample;

// One executable, two roles: the supervisor (what you start) and the workers (which it starts, as separate
// processes, with "worker" first). See Supervisor.cs, then ImportJob.cs for the steps themselves.
SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (FormatException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(SampleOptions.Help);
    return 0;
}

// In a log (output redirected), long lines stay whole instead of wrapping at 80 columns.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 160;
}

return options.IsWorker
    ? await Worker.RunAsync(options)
    : await Supervisor.RunAsync(options);
