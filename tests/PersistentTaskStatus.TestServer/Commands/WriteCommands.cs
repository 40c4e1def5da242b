using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Projection;
using PersistentTaskStatus.TestServer.Engine.Query;
using PersistentTaskStatus.TestServer.Engine.Versions;
using PersistentTaskStatus.TestServer.Storage;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>insert, update, delete and findAndModify.</summary>
internal sealed partial class CommandDispatcher
{
    private const int MaxDocumentBytes = 16 * 1024 * 1024;

    private void RegisterWriteCommands()
    {
        Register("insert", Insert);
        Register("update", Update);
        Register("delete", Delete);
        Register("findAndModify", FindAndModify);
    }

    private BsonDocument Insert(CommandRequest request)
    {
        var command = request.Command;
        var name = CommandArguments.CollectionName(request);
        var documents = CommandArguments.OptionalArray(command, "documents")
            ?? throw MongoServerException.FailedToParse("BSON field 'insert.documents' is missing but a required field");
        var ordered = CommandArguments.OptionalBoolean(command, "ordered", defaultValue: true);
        var context = CreateExpressionContext(command);
        var collection = GetOrCreateCollection(request.Database, name);
        var inserted = 0;
        var writeErrors = new BsonArray();
        for (var i = 0; i < documents.Count; i++)
        {
            try
            {
                var document = documents[i] as BsonDocument
                    ?? throw CommandArguments.WrongType("insert.documents.0", documents[i], "object");
                var (prepared, bytes) = PrepareForInsert(document);
                DocumentValidation.Check(collection, prepared, previous: null, context);
                collection.Insert(prepared, bytes);
                inserted++;
            }
            catch (MongoServerException ex)
            {
                writeErrors.Add(WriteError(i, ex));
                if (ordered)
                {
                    break;
                }
            }
        }

        return WriteReply(inserted, null, writeErrors, null);
    }

    private BsonDocument Update(CommandRequest request)
    {
        var command = request.Command;
        var name = CommandArguments.CollectionName(request);
        var updates = CommandArguments.OptionalArray(command, "updates")
            ?? throw MongoServerException.FailedToParse("BSON field 'update.updates' is missing but a required field");
        var ordered = CommandArguments.OptionalBoolean(command, "ordered", defaultValue: true);
        var context = CreateExpressionContext(command);
        var collection = GetOrCreateCollection(request.Database, name);
        var matched = 0;
        var modified = 0;
        var upserted = new BsonArray();
        var writeErrors = new BsonArray();
        for (var i = 0; i < updates.Count; i++)
        {
            try
            {
                var statement = updates[i] as BsonDocument
                    ?? throw CommandArguments.WrongType("update.updates.0", updates[i], "object");
                CommandArguments.RejectCollation(statement);
                var query = CommandArguments.OptionalDocument(statement, "q")
                    ?? throw MongoServerException.FailedToParse("BSON field 'update.updates.q' is missing but a required field");
                var update = statement.GetValue("u", BsonNull.Value);
                var multi = CommandArguments.OptionalBoolean(statement, "multi");
                var upsert = CommandArguments.OptionalBoolean(statement, "upsert");
                var plan = UpdatePlan.Create(update, CommandArguments.OptionalArray(statement, "arrayFilters"), multi);
                var filter = QueryFilter.Parse(query);
                var outcome = ApplyUpdate(collection, filter, query, plan, sort: null, multi, upsert, context);
                if (outcome.UpsertedId is not null)
                {
                    upserted.Add(new BsonDocument { { "index", i }, { "_id", outcome.UpsertedId } });
                }
                else
                {
                    matched += outcome.Matched;
                    modified += outcome.Modified;
                }
            }
            catch (MongoServerException ex)
            {
                writeErrors.Add(WriteError(i, ex));
                if (ordered)
                {
                    break;
                }
            }
        }

        return WriteReply(matched + upserted.Count, modified, writeErrors, upserted);
    }

    private BsonDocument Delete(CommandRequest request)
    {
        var command = request.Command;
        var name = CommandArguments.CollectionName(request);
        var deletes = CommandArguments.OptionalArray(command, "deletes")
            ?? throw MongoServerException.FailedToParse("BSON field 'delete.deletes' is missing but a required field");
        var ordered = CommandArguments.OptionalBoolean(command, "ordered", defaultValue: true);
        var context = CreateExpressionContext(command);
        var collection = FindCollection(request.Database, name);
        var deleted = 0;
        var writeErrors = new BsonArray();
        for (var i = 0; i < deletes.Count; i++)
        {
            try
            {
                var statement = deletes[i] as BsonDocument
                    ?? throw CommandArguments.WrongType("delete.deletes.0", deletes[i], "object");
                CommandArguments.RejectCollation(statement);
                var query = CommandArguments.OptionalDocument(statement, "q")
                    ?? throw MongoServerException.FailedToParse("BSON field 'delete.deletes.q' is missing but a required field");
                var limit = CommandArguments.OptionalInt64(statement, "limit")
                    ?? throw MongoServerException.FailedToParse("BSON field 'delete.deletes.limit' is missing but a required field");
                if (limit is not (0 or 1))
                {
                    throw MongoServerException.FailedToParse($"The limit field in delete objects must be 0 or 1. Got {limit}");
                }

                var filter = QueryFilter.Parse(query);
                if (collection is null)
                {
                    continue;
                }

                var victims = collection.Documents.Where(d => filter.Matches(d, context));
                foreach (var victim in (limit == 1 ? victims.Take(1) : victims).ToList())
                {
                    collection.Remove(victim);
                    deleted++;
                }
            }
            catch (MongoServerException ex)
            {
                writeErrors.Add(WriteError(i, ex));
                if (ordered)
                {
                    break;
                }
            }
        }

        return WriteReply(deleted, null, writeErrors, null);
    }

    private BsonDocument FindAndModify(CommandRequest request)
    {
        var command = request.Command;
        var name = CommandArguments.CollectionName(request);
        CommandArguments.RejectCollation(command);
        var query = CommandArguments.OptionalDocument(command, "query") ?? [];
        var remove = CommandArguments.OptionalBoolean(command, "remove");
        var returnNew = CommandArguments.OptionalBoolean(command, "new");
        var upsert = CommandArguments.OptionalBoolean(command, "upsert");
        var hasUpdate = command.TryGetValue("update", out var update) && !update.IsBsonNull;
        if (remove && hasUpdate)
        {
            throw MongoServerException.FailedToParse("Cannot specify both an update and remove=true");
        }

        if (remove && upsert)
        {
            throw MongoServerException.FailedToParse("Cannot specify both upsert=true and remove=true");
        }

        if (remove && returnNew)
        {
            throw MongoServerException.FailedToParse("Cannot specify both new=true and remove=true; 'remove' always returns the deleted document");
        }

        if (!remove && !hasUpdate)
        {
            throw MongoServerException.FailedToParse("Either an update or remove=true must be specified");
        }

        var context = CreateExpressionContext(command);
        var filter = QueryFilter.Parse(query);
        var sort = CommandArguments.OptionalDocument(command, "sort") is { ElementCount: > 0 } sortDocument
            ? SortSpecification.Parse(sortDocument)
            : null;
        var projection = CommandArguments.OptionalDocument(command, "fields") is { ElementCount: > 0 } fields
            ? ProjectionSpecification.Parse(fields, forAggregation: false)
            : null;
        var plan = hasUpdate ? UpdatePlan.Create(update!, CommandArguments.OptionalArray(command, "arrayFilters"), multi: false) : null;
        var collection = GetOrCreateCollection(request.Database, name);

        BsonValue Shape(BsonDocument? document, int? position) => document is null
            ? BsonNull.Value
            : projection?.Apply(document, position, context) ?? document;

        if (remove)
        {
            var victim = FirstMatch(collection, filter, sort, context);
            if (victim is null)
            {
                return Ok(new BsonDocument { { "lastErrorObject", new BsonDocument("n", 0) }, { "value", BsonNull.Value } });
            }

            collection.Remove(victim.Value.Document);
            return Ok(new BsonDocument
            {
                { "lastErrorObject", new BsonDocument("n", 1) },
                { "value", Shape(victim.Value.Document, victim.Value.Position) },
            });
        }

        var outcome = ApplyUpdate(collection, filter, query, plan!, sort, multi: false, upsert, context);
        var lastError = new BsonDocument
        {
            { "n", outcome.Matched + (outcome.UpsertedId is null ? 0 : 1) },
            { "updatedExisting", outcome.Matched > 0 },
        };
        if (outcome.UpsertedId is not null)
        {
            lastError["upserted"] = outcome.UpsertedId;
        }

        var value = returnNew ? Shape(outcome.After, outcome.Position) : Shape(outcome.Before, outcome.Position);
        return Ok(new BsonDocument { { "lastErrorObject", lastError }, { "value", value } });
    }

    /// <summary>
    /// Applies one update statement: to the first match (or every match with <paramref name="multi"/>), or to a new
    /// document when nothing matched and <paramref name="upsert"/> is set.
    /// </summary>
    private UpdateOutcome ApplyUpdate(
        CollectionStore collection,
        QueryFilter filter,
        BsonDocument query,
        UpdatePlan plan,
        SortSpecification? sort,
        bool multi,
        bool upsert,
        ExpressionContext context)
    {
        var targets = new List<(BsonDocument Document, int? Position)>();
        if (multi)
        {
            foreach (var document in collection.Documents)
            {
                if (filter.Matches(document, context, out var position))
                {
                    targets.Add((document, position));
                }
            }
        }
        else if (FirstMatch(collection, filter, sort, context) is { } first)
        {
            targets.Add(first);
        }

        if (targets.Count == 0)
        {
            if (!upsert)
            {
                return new UpdateOutcome(0, 0, null, null, null, null);
            }

            var created = plan.ApplyToUpsert(query, context);
            if (!created.Contains("_id"))
            {
                created.InsertAt(0, new BsonElement("_id", ObjectId.GenerateNewId()));
            }

            ValidateForStorage(created);

            var createdBytes = CheckSize(created);
            DocumentValidation.Check(collection, created, previous: null, context);
            collection.Insert(created, createdBytes);
            return new UpdateOutcome(0, 0, created["_id"], null, created, null);
        }

        var modified = 0;
        BsonDocument? before = null;
        BsonDocument? after = null;
        foreach (var (document, position) in targets)
        {
            var (updated, changed, rewritten) = plan.Apply(document, position, context);
            before = document;
            if (changed)
            {
                ValidateForStorage(updated);
                var updatedBytes = CheckSize(updated);
                DocumentValidation.Check(collection, updated, document, context);
                collection.Replace(document, updated, plan.IsReplacement, updatedBytes, rewritten);
                modified++;
            }

            after = updated;
        }

        return new UpdateOutcome(targets.Count, modified, null, before, after, targets[^1].Position);
    }

    /// <summary>Below featureCompatibilityVersion 5.0, the updated document may hold no <c>$</c>-prefixed field at any depth.</summary>
    private void ValidateForStorage(BsonDocument updated)
    {
        if (ServerVersion.OfFeatureCompatibility(server.FeatureCompatibilityVersion) < new ServerVersion(5, 0, 0))
        {
            DollarFieldValidation.Check(updated);
        }
    }

    private static (BsonDocument Document, int? Position)? FirstMatch(
        CollectionStore collection,
        QueryFilter filter,
        SortSpecification? sort,
        ExpressionContext context)
    {
        (BsonDocument Document, int? Position)? best = null;
        foreach (var document in collection.Documents)
        {
            if (!filter.Matches(document, context, out var position))
            {
                continue;
            }

            if (sort is null)
            {
                return (document, position);
            }

            if (best is null || sort.Compare(document, best.Value.Document) < 0)
            {
                best = (document, position);
            }
        }

        return best;
    }

    private static (BsonDocument Document, int Bytes) PrepareForInsert(BsonDocument document)
    {
        foreach (var element in document)
        {
            if (element.Name.StartsWith('$'))
            {
                throw MongoServerException.BadValue($"Document can't have $ prefixed field names: {element.Name}");
            }
        }

        var copy = document.DeepClone().AsBsonDocument;
        if (copy.TryGetValue("_id", out var id))
        {
            if (id is BsonArray or BsonRegularExpression or BsonUndefined)
            {
                throw new MongoServerException(ErrorCode.InvalidIdField, $"The '_id' value cannot be of type {CommandArguments.TypeName(id)}");
            }

            if (copy.IndexOfName("_id") != 0)
            {
                // MongoDB stores _id as the first field.
                copy.Remove("_id");
                copy.InsertAt(0, new BsonElement("_id", id));
            }
        }
        else
        {
            copy.InsertAt(0, new BsonElement("_id", ObjectId.GenerateNewId()));
        }

        return (copy, CheckSize(copy));
    }

    /// <summary>Fails when the document passes MongoDB's 16 MB limit; returns its size in bytes.</summary>
    private static int CheckSize(BsonDocument document)
    {
        var size = BsonSize.Of(document);
        if (size > MaxDocumentBytes)
        {
            throw new MongoServerException(
                ErrorCode.BSONObjectTooLarge,
                $"BSONObj size: {size} (0x{size:X}) is invalid. Size must be between 0 and 16793600(16MB) First element: _id: {document.GetValue("_id", BsonNull.Value).ToJson()}");
        }

        return size;
    }

    private static BsonDocument WriteError(int index, MongoServerException error)
    {
        var writeError = new BsonDocument { { "index", index }, { "code", error.Code } };
        if (error.Details is not null)
        {
            writeError.Merge(error.Details);
        }

        writeError["errmsg"] = error.Message;
        return writeError;
    }

    private static BsonDocument WriteReply(int n, int? modified, BsonArray writeErrors, BsonArray? upserted)
    {
        var reply = new BsonDocument("n", n);
        if (modified is not null)
        {
            reply["nModified"] = modified.Value;
        }

        if (upserted is { Count: > 0 })
        {
            reply["upserted"] = upserted;
        }

        if (writeErrors.Count > 0)
        {
            reply["writeErrors"] = writeErrors;
        }

        return Ok(reply);
    }

    private sealed record UpdateOutcome(int Matched, int Modified, BsonValue? UpsertedId, BsonDocument? Before, BsonDocument? After, int? Position);
}
