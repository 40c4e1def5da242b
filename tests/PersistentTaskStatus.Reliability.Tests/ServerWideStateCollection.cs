namespace PersistentTaskStatus.Reliability.Tests;

/// <summary>
/// Tests that set fail points or pause the server, which act on the whole server (as on MongoDB), run in this
/// collection: alone, after every test that may run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerWideStateCollection
{
    public const string Name = "Server-wide state (fail points, pauses)";
}
