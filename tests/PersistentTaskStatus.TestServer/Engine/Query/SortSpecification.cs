using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>A parsed sort document (<c>{ field: 1 | -1, ... }</c>) that orders documents as MongoDB does.</summary>
public sealed class SortSpecification : IComparer<BsonDocument>
{
    private SortSpecification()
    {
    }

    public static SortSpecification Parse(BsonDocument sort) =>
        throw MongoServerException.NotSupported("Sorting");

    public int Compare(BsonDocument? x, BsonDocument? y) =>
        throw MongoServerException.NotSupported("Sorting");
}
