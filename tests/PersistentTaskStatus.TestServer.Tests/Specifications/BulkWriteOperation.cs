using System.Globalization;
using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The collection <c>bulkWrite</c> operation: every request kind of the CRUD spec, and the BulkWriteResult shape
/// <c>{deletedCount, insertedCount, matchedCount, modifiedCount, upsertedCount, upsertedIds}</c>. (The driver does not
/// report <c>insertedIds</c>; the spec files expect them only through <c>$$unsetOrMatches</c>.)
/// https://github.com/mongodb/specifications/blob/master/source/crud/crud.md#write
/// </summary>
internal static class BulkWriteOperation
{
    public static PreparedOperation Prepare(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var requests = args.Required("requests").AsBsonArray.Select(r => ToModel(r.AsBsonDocument)).ToList();
        var options = new BulkWriteOptions
        {
            IsOrdered = args.OptionalBoolean("ordered") ?? true,
            Comment = args.Optional("comment"),
            Let = args.OptionalDocument("let"),
            BypassDocumentValidation = args.OptionalBoolean("bypassDocumentValidation"),
        };
        return async ct =>
        {
            var result = await collection.BulkWriteAsync(requests, options, ct).ConfigureAwait(false);
            return new OperationResult(ResultDocument(result));
        };
    }

    public static BsonDocument ResultDocument(BulkWriteResult result)
    {
        var upsertedIds = new BsonDocument();
        foreach (var upsert in result.Upserts)
        {
            upsertedIds.Add(upsert.Index.ToString(CultureInfo.InvariantCulture), upsert.Id);
        }

        return new BsonDocument
        {
            { "deletedCount", result.DeletedCount },
            { "insertedCount", result.InsertedCount },
            { "matchedCount", result.MatchedCount },
            { "modifiedCount", result.IsModifiedCountAvailable ? result.ModifiedCount : BsonNull.Value },
            { "upsertedCount", result.Upserts.Count },
            { "upsertedIds", upsertedIds },
        };
    }

    private static WriteModel<BsonDocument> ToModel(BsonDocument request)
    {
        if (request.ElementCount != 1)
        {
            throw new InvalidOperationException($"A bulk write request has exactly one key: {request.ToJson()}");
        }

        var kind = request.GetElement(0).Name;
        var args = new OperationArguments($"bulkWrite {kind}", request[0].AsBsonDocument);
        WriteModel<BsonDocument> model = kind switch
        {
            "insertOne" => new InsertOneModel<BsonDocument>(args.RequiredDocument("document").DeepClone().AsBsonDocument),
            "updateOne" => new UpdateOneModel<BsonDocument>(Filter(args), CollectionOperations.ToUpdate(args.Required("update")))
            {
                IsUpsert = args.OptionalBoolean("upsert") ?? false,
                ArrayFilters = CollectionOperations.ArrayFilters(args),
                Hint = args.Optional("hint"),
            },
            "updateMany" => new UpdateManyModel<BsonDocument>(Filter(args), CollectionOperations.ToUpdate(args.Required("update")))
            {
                IsUpsert = args.OptionalBoolean("upsert") ?? false,
                ArrayFilters = CollectionOperations.ArrayFilters(args),
                Hint = args.Optional("hint"),
            },
            "replaceOne" => new ReplaceOneModel<BsonDocument>(Filter(args), args.RequiredDocument("replacement").DeepClone().AsBsonDocument)
            {
                IsUpsert = args.OptionalBoolean("upsert") ?? false,
                Hint = args.Optional("hint"),
            },
            "deleteOne" => new DeleteOneModel<BsonDocument>(Filter(args)) { Hint = args.Optional("hint") },
            "deleteMany" => new DeleteManyModel<BsonDocument>(Filter(args)) { Hint = args.Optional("hint") },
            _ => throw new NotSupportedException($"The runner does not know the bulk write request '{kind}'."),
        };
        args.ThrowIfAnyUnread();
        return model;
    }

    private static FilterDefinition<BsonDocument> Filter(OperationArguments args) =>
        new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
}
