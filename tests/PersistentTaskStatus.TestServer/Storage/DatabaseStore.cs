namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>One database: its collections by name, in creation order.</summary>
internal sealed class DatabaseStore(string name)
{
    private readonly Dictionary<string, CollectionStore> collections = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public IEnumerable<CollectionStore> Collections => collections.Values;

    public CollectionStore? FindCollection(string collectionName) => collections.GetValueOrDefault(collectionName);

    public CollectionStore CreateCollection(string collectionName, MongoDB.Bson.BsonDocument options)
    {
        var collection = new CollectionStore(Name, collectionName, options);
        collections.Add(collectionName, collection);
        return collection;
    }

    public bool DropCollection(string collectionName) => collections.Remove(collectionName);
}
