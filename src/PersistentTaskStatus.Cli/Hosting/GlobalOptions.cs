using System.CommandLine;

namespace PersistentTaskStatus.Cli;

/// <summary>The options every command takes: where the containers are, how long to wait, and the output format.</summary>
internal sealed class GlobalOptions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public Option<string?> Connection { get; } = new("--connection", "-c")
    {
        Description = "The MongoDB connection string [default: the MONGODB_URI environment variable]",
        HelpName = "uri",
        Recursive = true,
    };

    public Option<string?> Database { get; } = new("--database", "-d")
    {
        Description = "The database [default: the one in the connection string; one of the two is required]",
        HelpName = "name",
        Recursive = true,
    };

    public Option<string> Collection { get; } = new("--collection")
    {
        Description = "The collection of the containers",
        HelpName = "name",
        DefaultValueFactory = _ => TaskStatusOptions.DefaultCollectionName,
        Recursive = true,
    };

    public Option<TimeSpan?> Timeout { get; } = new("--timeout")
    {
        Description = "How long to wait for the server: seconds, or a duration such as 500ms or 1m [default: 5s]",
        HelpName = "duration",
        CustomParser = result => Durations.ParseOption(result, "--timeout"),
        Recursive = true,
    };

    public Option<TimeSpan?> StallAfter { get; } = new("--stall-after")
    {
        Description = "How long a running task may go without progress before it counts as stalled; use your application's TaskStatusOptions.StallAfter [default: 10m]",
        HelpName = "duration",
        CustomParser = result => Durations.ParseOption(result, "--stall-after"),
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write JSON for scripts instead of tables (the shapes are documented in the README)",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Connection);
        root.Options.Add(Database);
        root.Options.Add(Collection);
        root.Options.Add(Timeout);
        root.Options.Add(StallAfter);
        root.Options.Add(Json);
    }
}
