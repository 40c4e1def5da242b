using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The operations this runner implements, per kind of object. A test naming any other operation fails before it runs
/// (even when it would be skipped as a known server gap), so no unknown operation is ever skipped silently.
/// </summary>
internal static class OperationCatalog
{
    private static readonly Dictionary<string, HashSet<string>> ByKind = new(StringComparer.Ordinal)
    {
        ["collection"] =
        [
            "insertOne", "insertMany", "updateOne", "updateMany", "replaceOne", "deleteOne", "deleteMany",
            "findOneAndUpdate", "findOneAndReplace", "findOneAndDelete", "find", "findOne", "countDocuments",
            "estimatedDocumentCount", "count", "distinct", "aggregate", "bulkWrite", "createIndex", "rename",
            "createChangeStream",
        ],
        ["database"] = ["dropCollection", "createCollection", "modifyCollection", "runCommand", "aggregate", "createChangeStream"],
        ["client"] = ["createChangeStream"],
        ["changeStream"] = ["iterateUntilDocumentOrError", "close"],
        ["testRunner"] = ["failPoint"],
    };

    /// <summary>Throws for the first operation of <paramref name="test"/> this runner does not implement.</summary>
    public static void ThrowIfAnyUnknown(BsonDocument file, BsonDocument test)
    {
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal) { ["testRunner"] = "testRunner" };
        foreach (var entity in file.GetValue("createEntities", new BsonArray()).AsBsonArray.Select(e => e.AsBsonDocument))
        {
            kinds[entity[0]["id"].AsString] = entity.GetElement(0).Name;
        }

        foreach (var operation in test["operations"].AsBsonArray.Select(o => o.AsBsonDocument))
        {
            var name = operation["name"].AsString;
            var target = operation["object"].AsString;
            if (!kinds.TryGetValue(target, out var kind))
            {
                throw new InvalidOperationException($"The operation {name} targets '{target}', which no entity defines.");
            }

            if (!ByKind.TryGetValue(kind, out var known) || !known.Contains(name))
            {
                throw new NotSupportedException($"The runner does not implement the operation '{name}' on a {kind} ('{target}').");
            }

            if (operation.TryGetValue("saveResultAsEntity", out var saved))
            {
                kinds[saved.AsString] = name == "createChangeStream" ? "changeStream" : "value";
            }
        }
    }

    /// <summary>The operation on <paramref name="entity"/>, its arguments read, or null if the runner lacks it.</summary>
    public static PreparedOperation? Prepare(string name, object entity, OperationArguments args) => entity switch
    {
        IMongoCollection<BsonDocument> collection => CollectionOperations.Prepare(name, collection, args),
        IMongoDatabase database => DatabaseOperations.Prepare(name, database, args),
        ClientEntity client => DatabaseOperations.PrepareOnClient(name, client.Client, args),
        ChangeStreamEntity changeStream => ChangeStreamOperations.PrepareOnChangeStream(name, changeStream),
        _ => null,
    };
}
