namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>
/// The server's databases. One lock serialises every command, which makes each command atomic and isolated as a
/// single-document write is on MongoDB (and more: good enough for one test node).
/// </summary>
internal sealed class StorageEngine(TimeProvider clock, long changeLogMaxBytes = ChangeLog.DefaultMaxBytes)
{
    private readonly Dictionary<string, DatabaseStore> databases = new(StringComparer.Ordinal);

    public Lock SyncRoot { get; } = new();

    public ChangeLog ChangeLog { get; } = new(clock, changeLogMaxBytes);

    public IEnumerable<DatabaseStore> Databases => databases.Values;

    public DatabaseStore? FindDatabase(string name) => databases.GetValueOrDefault(name);

    public DatabaseStore GetOrCreateDatabase(string name)
    {
        if (!databases.TryGetValue(name, out var database))
        {
            database = new DatabaseStore(name, ChangeLog);
            databases.Add(name, database);
        }

        return database;
    }

    public bool DropDatabase(string name)
    {
        if (!databases.TryGetValue(name, out var database))
        {
            return false;
        }

        foreach (var collection in database.Collections.Select(c => c.Name).ToList())
        {
            database.DropCollection(collection);
        }

        databases.Remove(name);
        ChangeLog.Append("dropDatabase", name, collection: null);
        return true;
    }
}
