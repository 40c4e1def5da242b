using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The database and client operations the spec files use.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#database-operations
/// </summary>
internal static class DatabaseOperations
{
    public static PreparedOperation? Prepare(string name, IMongoDatabase database, OperationArguments args) => name switch
    {
        "dropCollection" => DropCollection(database, args),
        "createCollection" => CreateCollection(database, args),
        "modifyCollection" => ModifyCollection(database, args),
        "runCommand" => RunCommand(database, args),
        "aggregate" => Aggregate(database, args),
        "createChangeStream" => ChangeStreamOperations.CreateOnDatabase(database, args),
        _ => null,
    };

    public static PreparedOperation? PrepareOnClient(string name, IMongoClient client, OperationArguments args) => name switch
    {
        "createChangeStream" => ChangeStreamOperations.CreateOnClient(client, args),
        _ => null,
    };

    private static PreparedOperation DropCollection(IMongoDatabase database, OperationArguments args)
    {
        var collection = args.RequiredString("collection");
        return async ct =>
        {
            await database.DropCollectionAsync(collection, ct).ConfigureAwait(false);
            return OperationResult.None;
        };
    }

    /// <summary>The <c>create</c> command with the operation's options passed through as its fields.</summary>
    private static PreparedOperation CreateCollection(IMongoDatabase database, OperationArguments args)
    {
        var command = new BsonDocument("create", args.RequiredString("collection"));
        foreach (var option in new[] { "capped", "size", "max", "validator", "validationLevel", "validationAction", "expireAfterSeconds", "timeseries", "clusteredIndex", "changeStreamPreAndPostImages", "collation" })
        {
            if (args.Optional(option) is { } value)
            {
                command.Add(option, value);
            }
        }

        return async ct =>
        {
            await database.RunCommandAsync<BsonDocument>(command, cancellationToken: ct).ConfigureAwait(false);
            return OperationResult.None;
        };
    }

    /// <summary>The <c>collMod</c> command.</summary>
    private static PreparedOperation ModifyCollection(IMongoDatabase database, OperationArguments args)
    {
        var command = new BsonDocument("collMod", args.RequiredString("collection"));
        foreach (var option in new[] { "validator", "validationLevel", "validationAction", "index", "expireAfterSeconds", "changeStreamPreAndPostImages" })
        {
            if (args.Optional(option) is { } value)
            {
                command.Add(option, value);
            }
        }

        return async ct =>
        {
            await database.RunCommandAsync<BsonDocument>(command, cancellationToken: ct).ConfigureAwait(false);
            return OperationResult.None;
        };
    }

    private static PreparedOperation RunCommand(IMongoDatabase database, OperationArguments args)
    {
        var command = args.RequiredDocument("command");
        args.Optional("commandName");
        return async ct => new OperationResult(await database.RunCommandAsync<BsonDocument>(command, cancellationToken: ct).ConfigureAwait(false));
    }

    private static PreparedOperation Aggregate(IMongoDatabase database, OperationArguments args)
    {
        var stages = args.Required("pipeline").AsBsonArray.Select(s => s.AsBsonDocument);
        var pipeline = new BsonDocumentStagePipelineDefinition<NoPipelineInput, BsonDocument>(stages);
        var options = new AggregateOptions
        {
            BatchSize = args.OptionalInt32("batchSize"),
            Comment = args.Optional("comment"),
            Let = args.OptionalDocument("let"),
            AllowDiskUse = args.OptionalBoolean("allowDiskUse"),
        };
        return async ct =>
        {
            using var cursor = await database.AggregateAsync(pipeline, options, ct).ConfigureAwait(false);
            return new OperationResult(new BsonArray(await cursor.ToListAsync(ct).ConfigureAwait(false)), IsIterable: true);
        };
    }
}
