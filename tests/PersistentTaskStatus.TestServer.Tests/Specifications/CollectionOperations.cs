using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The collection operations the spec files use, mapped onto the C# driver's API and back onto the result shapes of
/// the CRUD spec (InsertOneResult <c>{insertedId}</c>, UpdateResult <c>{matchedCount, modifiedCount, upsertedCount,
/// upsertedId}</c>, ...).
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#collection-operations
/// https://github.com/mongodb/specifications/blob/master/source/crud/crud.md
/// </summary>
internal static class CollectionOperations
{
    public static PreparedOperation? Prepare(string name, IMongoCollection<BsonDocument> collection, OperationArguments args) => name switch
    {
        "insertOne" => InsertOne(collection, args),
        "insertMany" => InsertMany(collection, args),
        "updateOne" => Update(collection, args, many: false),
        "updateMany" => Update(collection, args, many: true),
        "replaceOne" => ReplaceOne(collection, args),
        "deleteOne" => Delete(collection, args, many: false),
        "deleteMany" => Delete(collection, args, many: true),
        "findOneAndUpdate" => FindOneAndUpdate(collection, args),
        "findOneAndReplace" => FindOneAndReplace(collection, args),
        "findOneAndDelete" => FindOneAndDelete(collection, args),
        "find" => Find(collection, args, one: false),
        "findOne" => Find(collection, args, one: true),
        "countDocuments" => CountDocuments(collection, args),
        "estimatedDocumentCount" => EstimatedDocumentCount(collection, args),
        "count" => Count(collection, args),
        "distinct" => Distinct(collection, args),
        "aggregate" => Aggregate(collection, args),
        "bulkWrite" => BulkWriteOperation.Prepare(collection, args),
        "createIndex" => CreateIndex(collection, args),
        "rename" => Rename(collection, args),
        "createChangeStream" => ChangeStreamOperations.CreateOnCollection(collection, args),
        _ => null,
    };

    internal static UpdateDefinition<BsonDocument> ToUpdate(BsonValue update) => update switch
    {
        BsonDocument document => new BsonDocumentUpdateDefinition<BsonDocument>(document),
        BsonArray pipeline => new PipelineUpdateDefinition<BsonDocument>(Pipeline(pipeline)),
        _ => throw new InvalidOperationException($"An update is a document or a pipeline, not {update.ToJson()}."),
    };

    internal static PipelineDefinition<BsonDocument, BsonDocument> Pipeline(BsonArray stages) =>
        PipelineDefinition<BsonDocument, BsonDocument>.Create(stages.Select(s => s.AsBsonDocument));

    internal static List<ArrayFilterDefinition>? ArrayFilters(OperationArguments args) =>
        args.Optional("arrayFilters") is BsonArray filters
            ? [.. filters.Select(f => (ArrayFilterDefinition)new BsonDocumentArrayFilterDefinition<BsonDocument>(f.AsBsonDocument))]
            : null;

    internal static BsonDocument UpdateResultDocument(long matchedCount, long? modifiedCount, BsonValue? upsertedId)
    {
        var document = new BsonDocument
        {
            { "matchedCount", matchedCount },
            { "modifiedCount", modifiedCount is { } modified ? modified : BsonNull.Value },
            { "upsertedCount", upsertedId is null ? 0 : 1 },
        };
        if (upsertedId is not null)
        {
            document.Add("upsertedId", upsertedId);
        }

        return document;
    }

    private static PreparedOperation InsertOne(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        // The driver adds a generated _id to the document it is given; insert a copy so the test file stays unchanged.
        var document = args.RequiredDocument("document").DeepClone().AsBsonDocument;
        var options = new InsertOneOptions { Comment = args.Optional("comment"), BypassDocumentValidation = args.OptionalBoolean("bypassDocumentValidation") };
        return async ct =>
        {
            await collection.InsertOneAsync(document, options, ct).ConfigureAwait(false);
            return new OperationResult(new BsonDocument("insertedId", document["_id"]));
        };
    }

    private static PreparedOperation InsertMany(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var documents = args.Required("documents").AsBsonArray.Select(d => d.DeepClone().AsBsonDocument).ToList();
        var options = new InsertManyOptions
        {
            IsOrdered = args.OptionalBoolean("ordered") ?? true,
            Comment = args.Optional("comment"),
            BypassDocumentValidation = args.OptionalBoolean("bypassDocumentValidation"),
        };
        return async ct =>
        {
            await collection.InsertManyAsync(documents, options, ct).ConfigureAwait(false);
            var ids = new BsonDocument();
            for (var i = 0; i < documents.Count; i++)
            {
                ids.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), documents[i]["_id"]);
            }

            return new OperationResult(new BsonDocument("insertedIds", ids));
        };
    }

    private static PreparedOperation Update(IMongoCollection<BsonDocument> collection, OperationArguments args, bool many)
    {
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var update = ToUpdate(args.Required("update"));
        var options = new UpdateOptions
        {
            IsUpsert = args.OptionalBoolean("upsert") ?? false,
            ArrayFilters = ArrayFilters(args),
            Let = args.OptionalDocument("let"),
            Comment = args.Optional("comment"),
            Hint = args.Optional("hint"),
            BypassDocumentValidation = args.OptionalBoolean("bypassDocumentValidation"),
        };
        return async ct =>
        {
            var result = many
                ? await collection.UpdateManyAsync(filter, update, options, ct).ConfigureAwait(false)
                : await collection.UpdateOneAsync(filter, update, options, ct).ConfigureAwait(false);
            return new OperationResult(UpdateResultDocument(result.MatchedCount, result.IsModifiedCountAvailable ? result.ModifiedCount : null, result.UpsertedId));
        };
    }

    private static PreparedOperation ReplaceOne(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var replacement = args.RequiredDocument("replacement").DeepClone().AsBsonDocument;
        var options = new ReplaceOptions
        {
            IsUpsert = args.OptionalBoolean("upsert") ?? false,
            Let = args.OptionalDocument("let"),
            Comment = args.Optional("comment"),
            Hint = args.Optional("hint"),
            BypassDocumentValidation = args.OptionalBoolean("bypassDocumentValidation"),
        };
        return async ct =>
        {
            var result = await collection.ReplaceOneAsync(filter, replacement, options, ct).ConfigureAwait(false);
            return new OperationResult(UpdateResultDocument(result.MatchedCount, result.IsModifiedCountAvailable ? result.ModifiedCount : null, result.UpsertedId));
        };
    }

    private static PreparedOperation Delete(IMongoCollection<BsonDocument> collection, OperationArguments args, bool many)
    {
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var options = new DeleteOptions { Let = args.OptionalDocument("let"), Comment = args.Optional("comment"), Hint = args.Optional("hint") };
        return async ct =>
        {
            var result = many
                ? await collection.DeleteManyAsync(filter, options, ct).ConfigureAwait(false)
                : await collection.DeleteOneAsync(filter, options, ct).ConfigureAwait(false);
            return new OperationResult(new BsonDocument("deletedCount", result.DeletedCount));
        };
    }

    private static ReturnDocument ReturnDocumentOf(OperationArguments args) => args.Optional("returnDocument")?.AsString switch
    {
        null or "Before" => ReturnDocument.Before,
        "After" => ReturnDocument.After,
        var other => throw new InvalidOperationException($"returnDocument '{other}' is neither Before nor After."),
    };

    private static PreparedOperation FindOneAndUpdate(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var update = ToUpdate(args.Required("update"));
        var options = new FindOneAndUpdateOptions<BsonDocument>
        {
            Projection = Projection(args),
            Sort = Sort(args),
            ReturnDocument = ReturnDocumentOf(args),
            IsUpsert = args.OptionalBoolean("upsert") ?? false,
            ArrayFilters = ArrayFilters(args),
            Let = args.OptionalDocument("let"),
            Comment = args.Optional("comment"),
            Hint = args.Optional("hint"),
            BypassDocumentValidation = args.OptionalBoolean("bypassDocumentValidation"),
        };
        return async ct => DocumentOrNull(await collection.FindOneAndUpdateAsync(filter, update, options, ct).ConfigureAwait(false));
    }

    private static PreparedOperation FindOneAndReplace(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var replacement = args.RequiredDocument("replacement").DeepClone().AsBsonDocument;
        var options = new FindOneAndReplaceOptions<BsonDocument>
        {
            Projection = Projection(args),
            Sort = Sort(args),
            ReturnDocument = ReturnDocumentOf(args),
            IsUpsert = args.OptionalBoolean("upsert") ?? false,
            Let = args.OptionalDocument("let"),
            Comment = args.Optional("comment"),
            Hint = args.Optional("hint"),
            BypassDocumentValidation = args.OptionalBoolean("bypassDocumentValidation"),
        };
        return async ct => DocumentOrNull(await collection.FindOneAndReplaceAsync(filter, replacement, options, ct).ConfigureAwait(false));
    }

    private static PreparedOperation FindOneAndDelete(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var options = new FindOneAndDeleteOptions<BsonDocument>
        {
            Projection = Projection(args),
            Sort = Sort(args),
            Let = args.OptionalDocument("let"),
            Comment = args.Optional("comment"),
            Hint = args.Optional("hint"),
        };
        return async ct => DocumentOrNull(await collection.FindOneAndDeleteAsync(filter, options, ct).ConfigureAwait(false));
    }

    private static PreparedOperation Find(IMongoCollection<BsonDocument> collection, OperationArguments args, bool one)
    {
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var options = new FindOptions<BsonDocument>
        {
            Sort = Sort(args),
            Projection = Projection(args),
            Skip = args.OptionalInt32("skip"),
            Let = args.OptionalDocument("let"),
            Comment = args.Optional("comment"),
            Hint = args.Optional("hint"),
        };
        if (one)
        {
            // findOne is a find of one document in a single batch: the driver sends limit 1 and singleBatch for -1.
            options.Limit = -1;
        }
        else
        {
            options.Limit = args.OptionalInt32("limit");
            options.BatchSize = args.OptionalInt32("batchSize");
        }

        return async ct =>
        {
            using var cursor = await collection.FindAsync(filter, options, ct).ConfigureAwait(false);
            var documents = await cursor.ToListAsync(ct).ConfigureAwait(false);
            return one
                ? new OperationResult(documents.Count == 0 ? BsonNull.Value : documents[0])
                : new OperationResult(new BsonArray(documents), IsIterable: true);
        };
    }

    private static PreparedOperation CountDocuments(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var options = new CountOptions
        {
            Skip = args.OptionalInt64("skip"),
            Limit = args.OptionalInt64("limit"),
            Comment = args.Optional("comment"),
            Hint = args.Optional("hint"),
        };
        return async ct => new OperationResult(await collection.CountDocumentsAsync(filter, options, ct).ConfigureAwait(false));
    }

    private static PreparedOperation EstimatedDocumentCount(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var options = new EstimatedDocumentCountOptions { Comment = args.Optional("comment") };
        return async ct => new OperationResult(await collection.EstimatedDocumentCountAsync(options, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// The deprecated <c>count</c> helper, which is the <c>count</c> command; the driver's Count method is obsolete,
    /// so the runner sends the command itself.
    /// </summary>
    private static PreparedOperation Count(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var command = new BsonDocument { { "count", collection.CollectionNamespace.CollectionName }, { "query", args.RequiredDocument("filter") } };
        foreach (var option in new[] { "skip", "limit", "comment" })
        {
            if (args.Optional(option) is { } value)
            {
                command.Add(option, value);
            }
        }

        return async ct =>
        {
            var reply = await collection.Database.RunCommandAsync<BsonDocument>(command, cancellationToken: ct).ConfigureAwait(false);
            return new OperationResult(reply["n"]);
        };
    }

    private static PreparedOperation Distinct(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var field = new StringFieldDefinition<BsonDocument, BsonValue>(args.RequiredString("fieldName"));
        var filter = new BsonDocumentFilterDefinition<BsonDocument>(args.RequiredDocument("filter"));
        var options = new DistinctOptions { Comment = args.Optional("comment") };
        return async ct =>
        {
            using var cursor = await collection.DistinctAsync(field, filter, options, ct).ConfigureAwait(false);
            return new OperationResult(new BsonArray(await cursor.ToListAsync(ct).ConfigureAwait(false)));
        };
    }

    private static PreparedOperation Aggregate(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var pipeline = Pipeline(args.Required("pipeline").AsBsonArray);
        var options = new AggregateOptions
        {
            BatchSize = args.OptionalInt32("batchSize"),
            Comment = args.Optional("comment"),
            Let = args.OptionalDocument("let"),
            AllowDiskUse = args.OptionalBoolean("allowDiskUse"),
            Hint = args.Optional("hint"),
        };
        return async ct =>
        {
            using var cursor = await collection.AggregateAsync(pipeline, options, ct).ConfigureAwait(false);
            return new OperationResult(new BsonArray(await cursor.ToListAsync(ct).ConfigureAwait(false)), IsIterable: true);
        };
    }

    private static PreparedOperation CreateIndex(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var keys = new BsonDocumentIndexKeysDefinition<BsonDocument>(args.RequiredDocument("keys"));
        var options = new CreateIndexOptions { Unique = args.OptionalBoolean("unique"), Name = args.Optional("name")?.AsString };
        return async ct =>
        {
            var indexName = await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(keys, options), cancellationToken: ct).ConfigureAwait(false);
            return new OperationResult(indexName);
        };
    }

    private static PreparedOperation Rename(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var to = args.RequiredString("to");
        var options = new RenameCollectionOptions { DropTarget = args.OptionalBoolean("dropTarget") };
        return async ct =>
        {
            await collection.Database.RenameCollectionAsync(collection.CollectionNamespace.CollectionName, to, options, ct).ConfigureAwait(false);
            return OperationResult.None;
        };
    }

    private static ProjectionDefinition<BsonDocument, BsonDocument>? Projection(OperationArguments args) =>
        args.OptionalDocument("projection") is { } projection ? new BsonDocumentProjectionDefinition<BsonDocument, BsonDocument>(projection) : null;

    private static SortDefinition<BsonDocument>? Sort(OperationArguments args) =>
        args.OptionalDocument("sort") is { } sort ? new BsonDocumentSortDefinition<BsonDocument>(sort) : null;

    private static OperationResult DocumentOrNull(BsonDocument? document) => new(document is null ? BsonNull.Value : document);
}
