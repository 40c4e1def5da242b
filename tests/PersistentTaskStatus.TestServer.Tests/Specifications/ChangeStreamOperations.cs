using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// <c>createChangeStream</c> on a client, database or collection, and <c>iterateUntilDocumentOrError</c>.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#collection_createChangeStream
/// </summary>
internal static class ChangeStreamOperations
{
    public static PreparedOperation CreateOnCollection(IMongoCollection<BsonDocument> collection, OperationArguments args)
    {
        var (pipeline, options) = Read(args);
        return async ct => Entity(await collection.WatchAsync(pipeline, options, ct).ConfigureAwait(false));
    }

    public static PreparedOperation CreateOnDatabase(IMongoDatabase database, OperationArguments args)
    {
        var (pipeline, options) = Read(args);
        return async ct => Entity(await database.WatchAsync(pipeline, options, ct).ConfigureAwait(false));
    }

    public static PreparedOperation CreateOnClient(IMongoClient client, OperationArguments args)
    {
        var (pipeline, options) = Read(args);
        return async ct => Entity(await client.WatchAsync(pipeline, options, ct).ConfigureAwait(false));
    }

    public static PreparedOperation? PrepareOnChangeStream(string name, ChangeStreamEntity changeStream) => name switch
    {
        "iterateUntilDocumentOrError" => async ct => new OperationResult(await changeStream.NextAsync(ct).ConfigureAwait(false)),
        "close" => ct =>
        {
            changeStream.Dispose();
            return Task.FromResult(OperationResult.None);
        },
        _ => null,
    };

    private static (PipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument> Pipeline, ChangeStreamOptions Options) Read(OperationArguments args)
    {
        var stages = args.Required("pipeline").AsBsonArray.Select(s => s.AsBsonDocument);
        var pipeline = new BsonDocumentStagePipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument>(stages);
        var options = new ChangeStreamOptions
        {
            BatchSize = args.OptionalInt32("batchSize"),
            Comment = args.Optional("comment"),
            ShowExpandedEvents = args.OptionalBoolean("showExpandedEvents"),
        };
        if (args.Optional("fullDocument") is { } fullDocument)
        {
            options.FullDocument = Enum.Parse<ChangeStreamFullDocumentOption>(fullDocument.AsString, ignoreCase: true);
        }

        if (args.Optional("fullDocumentBeforeChange") is { } before)
        {
            options.FullDocumentBeforeChange = Enum.Parse<ChangeStreamFullDocumentBeforeChangeOption>(before.AsString, ignoreCase: true);
        }

        if (args.Optional("resumeAfter") is { } resumeAfter)
        {
            options.ResumeAfter = resumeAfter.AsBsonDocument;
        }

        if (args.Optional("startAfter") is { } startAfter)
        {
            options.StartAfter = startAfter.AsBsonDocument;
        }

        if (args.OptionalInt32("maxAwaitTimeMS") is { } maxAwait)
        {
            options.MaxAwaitTime = TimeSpan.FromMilliseconds(maxAwait);
        }

        return (pipeline, options);
    }

    private static OperationResult Entity(IChangeStreamCursor<BsonDocument> cursor) => new(null, new ChangeStreamEntity(cursor));
}
