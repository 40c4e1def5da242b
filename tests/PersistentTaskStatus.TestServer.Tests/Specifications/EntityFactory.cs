using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// <c>createEntities</c>: clients (on the fixture's MongoDB, with <c>uriOptions</c> and command monitoring), databases
/// and collections (with their read/write concern options). Any other entity type or option fails the test.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#entity
/// </summary>
internal static class EntityFactory
{
    public static void Create(BsonArray? definitions, EntityMap entities, Func<MongoClientSettings> newSettings)
    {
        foreach (var definition in definitions?.Select(d => d.AsBsonDocument) ?? [])
        {
            if (definition.ElementCount != 1)
            {
                throw new InvalidOperationException($"An entity has exactly one key: {definition.ToJson()}");
            }

            var kind = definition.GetElement(0).Name;
            var args = new OperationArguments($"{kind} entity", definition[0].AsBsonDocument);
            var id = args.RequiredString("id");
            object entity = kind switch
            {
                "client" => Client(args, newSettings()),
                "database" => Database(args, entities),
                "collection" => Collection(args, entities),
                _ => throw new NotSupportedException($"The runner does not support {kind} entities."),
            };
            args.ThrowIfAnyUnread();
            entities.Add(id, entity);
        }
    }

    private static ClientEntity Client(OperationArguments args, MongoClientSettings settings)
    {
        // A single server or replica set: useMultipleMongoses "has no effect for topologies that are not sharded".
        args.Optional("useMultipleMongoses");
        if (args.OptionalDocument("uriOptions") is { } uriOptions)
        {
            ApplyUriOptions(uriOptions, settings);
        }

        var observe = args.Optional("observeEvents")?.AsBsonArray.Select(e => e.AsString).ToList() ?? [];
        var supported = new[] { "commandStartedEvent", "commandSucceededEvent", "commandFailedEvent" };
        var unsupported = observe.Except(supported).ToList();
        if (unsupported.Count > 0)
        {
            throw new NotSupportedException($"The runner does not observe {string.Join(", ", unsupported)}.");
        }

        var ignore = args.Optional("ignoreCommandMonitoringEvents")?.AsBsonArray.Select(e => e.AsString) ?? [];
        return new ClientEntity(settings, observe, ignore);
    }

    private static void ApplyUriOptions(BsonDocument options, MongoClientSettings settings)
    {
        foreach (var option in options)
        {
            var value = option.Value;
            switch (option.Name)
            {
                case "retryWrites":
                    settings.RetryWrites = value.AsBoolean;
                    break;
                case "retryReads":
                    settings.RetryReads = value.AsBoolean;
                    break;
                case "w":
                    settings.WriteConcern = value.IsString ? new WriteConcern(value.AsString) : new WriteConcern(value.ToInt32());
                    break;
                case "readConcernLevel":
                    settings.ReadConcern = new ReadConcern(Enum.Parse<ReadConcernLevel>(value.AsString, ignoreCase: true));
                    break;
                case "appname":
                    settings.ApplicationName = value.AsString;
                    break;
                case "heartbeatFrequencyMS":
                    settings.HeartbeatInterval = TimeSpan.FromMilliseconds(value.ToInt32());
                    break;
                case "serverSelectionTimeoutMS":
                    settings.ServerSelectionTimeout = TimeSpan.FromMilliseconds(value.ToInt32());
                    break;
                case "connectTimeoutMS":
                    settings.ConnectTimeout = TimeSpan.FromMilliseconds(value.ToInt32());
                    break;
                case "socketTimeoutMS":
                    settings.SocketTimeout = TimeSpan.FromMilliseconds(value.ToInt32());
                    break;
                case "maxPoolSize":
                    settings.MaxConnectionPoolSize = value.ToInt32();
                    break;
                default:
                    throw new NotSupportedException($"The runner does not support the URI option '{option.Name}'.");
            }
        }
    }

    private static IMongoDatabase Database(OperationArguments args, EntityMap entities)
    {
        var client = entities.Get<ClientEntity>(args.RequiredString("client"));
        var settings = new MongoDatabaseSettings();
        if (args.OptionalDocument("databaseOptions") is { } options)
        {
            ApplyOptions(options, c => settings.ReadConcern = c, w => settings.WriteConcern = w, p => settings.ReadPreference = p);
        }

        return client.Client.GetDatabase(args.RequiredString("databaseName"), settings);
    }

    private static IMongoCollection<BsonDocument> Collection(OperationArguments args, EntityMap entities)
    {
        var database = entities.Get<IMongoDatabase>(args.RequiredString("database"));
        var settings = new MongoCollectionSettings();
        if (args.OptionalDocument("collectionOptions") is { } options)
        {
            ApplyOptions(options, c => settings.ReadConcern = c, w => settings.WriteConcern = w, p => settings.ReadPreference = p);
        }

        return database.GetCollection<BsonDocument>(args.RequiredString("collectionName"), settings);
    }

    private static void ApplyOptions(
        BsonDocument options,
        Action<ReadConcern> setReadConcern,
        Action<WriteConcern> setWriteConcern,
        Action<ReadPreference> setReadPreference)
    {
        foreach (var option in options)
        {
            var value = option.Value.AsBsonDocument;
            switch (option.Name)
            {
                case "readConcern":
                    setReadConcern(value.TryGetValue("level", out var level)
                        ? new ReadConcern(Enum.Parse<ReadConcernLevel>(level.AsString, ignoreCase: true))
                        : ReadConcern.Default);
                    break;
                case "writeConcern":
                    setWriteConcern(WriteConcernOf(value));
                    break;
                case "readPreference":
                    setReadPreference(new ReadPreference(Enum.Parse<ReadPreferenceMode>(value["mode"].AsString, ignoreCase: true)));
                    break;
                default:
                    throw new NotSupportedException($"The runner does not support the option '{option.Name}'.");
            }
        }
    }

    private static WriteConcern WriteConcernOf(BsonDocument document)
    {
        var concern = WriteConcern.Acknowledged;
        foreach (var element in document)
        {
            concern = element.Name switch
            {
                "w" => element.Value.IsString ? concern.With(mode: element.Value.AsString) : concern.With(w: element.Value.ToInt32()),
                "journal" or "j" => concern.With(journal: element.Value.AsBoolean),
                "wtimeoutMS" => concern.With(wTimeout: TimeSpan.FromMilliseconds(element.Value.ToInt32())),
                _ => throw new NotSupportedException($"The runner does not support the write concern field '{element.Name}'."),
            };
        }

        return concern;
    }
}
