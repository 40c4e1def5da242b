using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Query;
using PersistentTaskStatus.TestServer.Storage;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>Databases, collections and indexes: create, drop, list.</summary>
internal sealed partial class CommandDispatcher
{
    private void RegisterCatalogCommands()
    {
        Register("create", Create);
        Register("drop", Drop);
        Register("dropDatabase", DropDatabase);
        Register("listDatabases", ListDatabases);
        Register("listCollections", ListCollections);
        Register("createIndexes", CreateIndexes);
        Register("listIndexes", ListIndexes);
        Register("dropIndexes", DropIndexes);
        Register("renameCollection", RenameCollection);
        Register("collMod", CollMod);
    }

    private BsonDocument CollMod(CommandRequest request)
    {
        var name = CommandArguments.CollectionName(request);
        var collection = FindCollection(request.Database, name)
            ?? throw new MongoServerException(ErrorCode.NamespaceNotFound, $"ns does not exist: {request.Database}.{name}");
        var changes = new BsonDocument();
        foreach (var element in request.Command.Skip(1))
        {
            if (CommandArguments.IsGeneric(element.Name))
            {
                continue;
            }

            if (element.Name is not ("validator" or "validationLevel" or "validationAction"))
            {
                throw MongoServerException.NotSupported($"The '{element.Name}' option of 'collMod'");
            }

            changes[element.Name] = element.Value;
        }

        DocumentValidation.CheckOptions(changes);
        collection.Options.Merge(changes, overwriteExistingElements: true);
        return Ok();
    }

    private BsonDocument RenameCollection(CommandRequest request)
    {
        if (request.Database != "admin")
        {
            throw new MongoServerException(ErrorCode.Unauthorized, "renameCollection may only be run against the admin database.");
        }

        var from = request.Target.IsString ? request.Target.AsString : throw CommandArguments.WrongType("renameCollection", request.Target, "string");
        var to = request.Command.GetValue("to", BsonNull.Value) is BsonString target
            ? target.Value
            : throw MongoServerException.FailedToParse("BSON field 'renameCollection.to' is missing but a required field");
        var (fromDatabase, fromCollection) = SplitNamespace(from);
        var (toDatabase, toCollection) = SplitNamespace(to);
        if (fromDatabase != toDatabase)
        {
            throw MongoServerException.NotSupported("Renaming a collection into another database");
        }

        var database = server.Storage.FindDatabase(fromDatabase);
        if (database?.FindCollection(fromCollection) is null)
        {
            throw new MongoServerException(ErrorCode.NamespaceNotFound, "Source collection " + from + " does not exist");
        }

        if (database.FindCollection(toCollection) is not null)
        {
            if (!CommandArguments.OptionalBoolean(request.Command, "dropTarget"))
            {
                throw new MongoServerException(ErrorCode.NamespaceExists, "target namespace exists");
            }

            database.DropCollection(toCollection);
        }

        ValidateCollectionName(toDatabase, toCollection);
        DropCursorsOf(from);
        database.RenameCollection(fromCollection, toCollection);
        return Ok();
    }

    private static (string Database, string Collection) SplitNamespace(string ns)
    {
        var dot = ns.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == ns.Length - 1)
        {
            throw new MongoServerException(ErrorCode.InvalidNamespace, $"Invalid namespace specified '{ns}'");
        }

        return (ns[..dot], ns[(dot + 1)..]);
    }

    private BsonDocument Create(CommandRequest request)
    {
        var name = CommandArguments.CollectionName(request);
        var options = new BsonDocument();
        foreach (var element in request.Command.Skip(1))
        {
            if (CommandArguments.IsGeneric(element.Name))
            {
                continue;
            }

            if (element.Name is "capped" or "timeseries" or "viewOn" or "pipeline" or "clusteredIndex" or
                "changeStreamPreAndPostImages" or "encryptedFields")
            {
                throw MongoServerException.NotSupported($"The '{element.Name}' option of 'create'");
            }

            options[element.Name] = element.Value;
        }

        DocumentValidation.CheckOptions(options);
        ValidateCollectionName(request.Database, name);
        var database = server.Storage.GetOrCreateDatabase(request.Database);
        if (database.FindCollection(name) is not null)
        {
            throw new MongoServerException(ErrorCode.NamespaceExists, $"Collection {request.Database}.{name} already exists.");
        }

        database.CreateCollection(name, options);
        return Ok();
    }

    private BsonDocument Drop(CommandRequest request)
    {
        var name = CommandArguments.CollectionName(request);
        var database = server.Storage.FindDatabase(request.Database);
        var collection = database?.FindCollection(name);

        // Since MongoDB 7.0, dropping a collection that does not exist succeeds.
        if (collection is null)
        {
            return Ok();
        }

        DropCursorsOf(collection.Namespace);
        database!.DropCollection(name);
        return Ok(new BsonDocument { { "nIndexesWas", collection.Indexes.Count }, { "ns", collection.Namespace } });
    }

    private BsonDocument DropDatabase(CommandRequest request)
    {
        if (server.Storage.FindDatabase(request.Database) is { } database)
        {
            foreach (var collection in database.Collections)
            {
                DropCursorsOf(collection.Namespace);
            }

            server.Storage.DropDatabase(request.Database);
        }

        return Ok();
    }

    private BsonDocument ListDatabases(CommandRequest request)
    {
        var nameOnly = CommandArguments.OptionalBoolean(request.Command, "nameOnly");
        var filter = CommandArguments.OptionalDocument(request.Command, "filter") is { } filterDocument
            ? QueryFilter.Parse(filterDocument)
            : null;
        var context = new ExpressionContext(server.Now);
        var databases = new BsonArray();
        long total = 0;
        foreach (var database in server.Storage.Databases)
        {
            var size = database.Collections.Sum(c => c.Documents.Sum(d => (long)d.ToBson().Length));
            var entry = nameOnly
                ? new BsonDocument("name", database.Name)
                : new BsonDocument { { "name", database.Name }, { "sizeOnDisk", size }, { "empty", !database.Collections.Any() } };
            if (filter is null || filter.Matches(entry, context))
            {
                databases.Add(entry);
                total += size;
            }
        }

        var reply = new BsonDocument("databases", databases);
        if (!nameOnly)
        {
            reply["totalSize"] = total;
        }

        return Ok(reply);
    }

    private BsonDocument ListCollections(CommandRequest request)
    {
        var nameOnly = CommandArguments.OptionalBoolean(request.Command, "nameOnly");
        var filter = CommandArguments.OptionalDocument(request.Command, "filter") is { } filterDocument
            ? QueryFilter.Parse(filterDocument)
            : null;
        var batchSize = CommandArguments.OptionalDocument(request.Command, "cursor") is { } cursor
            ? (int?)NonNegative(cursor, "batchSize")
            : null;
        var context = new ExpressionContext(server.Now);
        var results = new List<BsonDocument>();
        foreach (var collection in server.Storage.FindDatabase(request.Database)?.Collections ?? [])
        {
            var entry = new BsonDocument { { "name", collection.Name }, { "type", "collection" } };
            if (!nameOnly)
            {
                entry["options"] = collection.Options.DeepClone();
                entry["info"] = new BsonDocument
                {
                    { "readOnly", false },
                    { "uuid", new BsonBinaryData(collection.Uuid, GuidRepresentation.Standard) },
                };
                entry["idIndex"] = collection.Indexes[0].Specification.DeepClone();
            }

            if (filter is null || filter.Matches(entry, context))
            {
                results.Add(entry);
            }
        }

        return CursorReply($"{request.Database}.$cmd.listCollections", results, batchSize, singleBatch: false);
    }

    private BsonDocument CreateIndexes(CommandRequest request)
    {
        var name = CommandArguments.CollectionName(request);
        var specifications = CommandArguments.OptionalArray(request.Command, "indexes")
            ?? throw MongoServerException.FailedToParse("BSON field 'createIndexes.indexes' is missing but a required field");
        var createdCollection = FindCollection(request.Database, name) is null;
        var collection = GetOrCreateCollection(request.Database, name);
        var before = collection.Indexes.Count;
        foreach (var value in specifications)
        {
            var specification = value as BsonDocument
                ?? throw CommandArguments.WrongType("createIndexes.indexes.0", value, "object");
            var index = ParseIndex(specification);
            if (collection.FindIndex(index.Name) is { } sameName)
            {
                if (!sameName.Key.Equals(index.Key))
                {
                    throw new MongoServerException(
                        ErrorCode.IndexKeySpecsConflict,
                        $"An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: {index.Specification.ToJson()}, existing index: {sameName.Specification.ToJson()}");
                }

                if (!SameOptions(sameName, index))
                {
                    throw new MongoServerException(
                        ErrorCode.IndexOptionsConflict,
                        $"An equivalent index already exists with the same name but different options. Requested index: {index.Specification.ToJson()}, existing index: {sameName.Specification.ToJson()}");
                }

                continue;
            }

            if (collection.FindIndexByKey(index.Key) is { } sameKey && SameOptions(sameKey, index))
            {
                throw new MongoServerException(
                    ErrorCode.IndexOptionsConflict,
                    $"Index already exists with a different name: {sameKey.Name}");
            }

            collection.AddIndex(index);
        }

        var reply = new BsonDocument
        {
            { "numIndexesBefore", before },
            { "numIndexesAfter", collection.Indexes.Count },
            { "createdCollectionAutomatically", createdCollection },
        };
        if (before == collection.Indexes.Count)
        {
            reply["note"] = "all indexes already exist";
        }

        return Ok(reply);
    }

    private BsonDocument ListIndexes(CommandRequest request)
    {
        var name = CommandArguments.CollectionName(request);
        var collection = FindCollection(request.Database, name)
            ?? throw new MongoServerException(ErrorCode.NamespaceNotFound, $"ns does not exist: {request.Database}.{name}");
        var batchSize = CommandArguments.OptionalDocument(request.Command, "cursor") is { } cursor
            ? (int?)NonNegative(cursor, "batchSize")
            : null;
        return CursorReply(
            $"{request.Database}.$cmd.listIndexes.{name}",
            collection.Indexes.Select(i => i.Specification.DeepClone().AsBsonDocument).ToList(),
            batchSize,
            singleBatch: false);
    }

    private BsonDocument DropIndexes(CommandRequest request)
    {
        var name = CommandArguments.CollectionName(request);
        var collection = FindCollection(request.Database, name)
            ?? throw new MongoServerException(ErrorCode.NamespaceNotFound, $"ns not found {request.Database}.{name}");
        var before = collection.Indexes.Count;
        var target = request.Command.GetValue("index", BsonNull.Value);
        switch (target)
        {
            case BsonString { Value: "*" }:
                collection.DropAllIndexesButId();
                break;
            case BsonString indexName:
                DropIndexByName(collection, indexName.Value);
                break;
            case BsonArray names:
                foreach (var indexName in names)
                {
                    DropIndexByName(collection, indexName.AsString);
                }

                break;
            case BsonDocument key:
                var byKey = collection.FindIndexByKey(key)
                    ?? throw new MongoServerException(ErrorCode.IndexNotFound, $"can't find index with key: {key.ToJson()}");
                DropIndexByName(collection, byKey.Name);
                break;
            default:
                throw CommandArguments.WrongType("dropIndexes.index", target, "string");
        }

        return Ok(new BsonDocument("nIndexesWas", before));
    }

    private static void DropIndexByName(CollectionStore collection, string indexName)
    {
        if (indexName == "_id_")
        {
            throw new MongoServerException(ErrorCode.InvalidOptions, "cannot drop _id index");
        }

        if (!collection.DropIndex(indexName))
        {
            throw new MongoServerException(ErrorCode.IndexNotFound, $"index not found with name [{indexName}]");
        }
    }

    private IndexDefinition ParseIndex(BsonDocument specification)
    {
        var key = specification.TryGetValue("key", out var k) && k is BsonDocument keyDocument && keyDocument.ElementCount > 0
            ? keyDocument
            : throw new MongoServerException(ErrorCode.CannotCreateIndex, "Index key pattern must be a non-empty object");
        foreach (var element in key)
        {
            if (element.Value is BsonString kind)
            {
                throw MongoServerException.NotSupported($"The index type '{kind.Value}'");
            }

            if (!BsonOrder.IsNumber(element.Value) || BsonOrder.ToDouble(element.Value) == 0)
            {
                throw new MongoServerException(ErrorCode.CannotCreateIndex, $"Values in the index key pattern can't be 0 or non-numeric: {key.ToJson()}");
            }
        }

        var name = specification.TryGetValue("name", out var n) && n is BsonString nameString
            ? nameString.Value
            : throw new MongoServerException(ErrorCode.FailedToParse, "The 'name' field is a required property of an index specification");
        BsonDocument? partial = null;
        Func<BsonDocument, bool>? partialFilter = null;
        long? expireAfterSeconds = null;
        var normalized = new BsonDocument { { "v", 2 }, { "key", key.DeepClone() }, { "name", name } };
        foreach (var option in specification)
        {
            switch (option.Name)
            {
                case "key" or "name" or "v" or "ns" or "background":
                    break;
                case "unique" or "sparse" or "hidden":
                    if (option.Value.ToBoolean())
                    {
                        normalized[option.Name] = true;
                    }

                    break;
                case "partialFilterExpression":
                    partial = option.Value as BsonDocument
                        ?? throw CommandArguments.WrongType("partialFilterExpression", option.Value, "object");
                    var parsed = QueryFilter.Parse(partial);
                    partialFilter = document => parsed.Matches(document, new ExpressionContext(server.Now));
                    normalized[option.Name] = partial.DeepClone();
                    break;
                case "expireAfterSeconds":
                    if (!BsonOrder.IsNumber(option.Value))
                    {
                        throw new MongoServerException(ErrorCode.CannotCreateIndex, "TTL index 'expireAfterSeconds' option must be numeric");
                    }

                    expireAfterSeconds = BsonOrder.ToInt64(option.Value);
                    normalized[option.Name] = option.Value;
                    break;
                default:
                    throw MongoServerException.NotSupported($"The index option '{option.Name}'");
            }
        }

        return new IndexDefinition
        {
            Name = name,
            Key = key,
            Unique = normalized.GetValue("unique", false).ToBoolean(),
            Sparse = normalized.GetValue("sparse", false).ToBoolean(),
            PartialFilterExpression = partial,
            PartialFilter = partialFilter,
            ExpireAfterSeconds = expireAfterSeconds,
            Specification = normalized,
        };
    }

    private static bool SameOptions(IndexDefinition a, IndexDefinition b) =>
        a.Unique == b.Unique && a.Sparse == b.Sparse && a.ExpireAfterSeconds == b.ExpireAfterSeconds &&
        Equals(a.PartialFilterExpression, b.PartialFilterExpression);

    private void DropCursorsOf(string ns)
    {
        foreach (var id in cursors.Where(c => c.Value.Namespace == ns).Select(c => c.Key).ToList())
        {
            cursors.Remove(id);
        }
    }
}
