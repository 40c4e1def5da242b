namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>One database: its collections by name, in creation order.</summary>
internal sealed class DatabaseStore(string name, ChangeLog changeLog)
{
    private readonly Dictionary<string, CollectionStore> collections = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public IEnumerable<CollectionStore> Collections => collections.Values;

    public CollectionStore? FindCollection(string collectionName) => collections.GetValueOrDefault(collectionName);

    public CollectionStore CreateCollection(string collectionName, MongoDB.Bson.BsonDocument options)
    {
        var collection = new CollectionStore(Name, collectionName, options, changeLog);
        collections.Add(collectionName, collection);
        return collection;
    }

    public bool DropCollection(string collectionName)
    {
        if (!collections.Remove(collectionName))
        {
            return false;
        }

        changeLog.Append("drop", Name, collectionName);
        return true;
    }

    /// <summary>Moves a collection's documents and indexes under a new name (renameCollection within a database).</summary>
    public void RenameCollection(string from, string to)
    {
        var source = collections[from];
        collections.Remove(from);
        collections.Remove(to);
        var target = new CollectionStore(Name, to, source.Options, changeLog);
        target.AdoptFrom(source);
        collections.Add(to, target);
        changeLog.Append("rename", Name, from, renamedTo: (Name, to));
    }
}
