using System.Globalization;
using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Aggregation;
using PersistentTaskStatus.TestServer.Engine.ChangeStreams;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Storage;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>
/// Change streams (https://www.mongodb.com/docs/manual/changeStreams/): <c>aggregate</c> with a leading
/// <c>$changeStream</c> stage opens a tailable cursor over the change log; <c>getMore</c> waits up to its
/// <c>maxTimeMS</c> for new events. Resume tokens encode the position in the log.
/// </summary>
internal sealed partial class CommandDispatcher
{
    private const int DefaultAwaitMilliseconds = 1000;
    private static readonly HashSet<string> SystemDatabases = new(StringComparer.Ordinal) { "admin", "config", "local" };

    /// <summary>Codes for which a failed change stream getMore is labelled ResumableChangeStreamError.</summary>
    private static readonly HashSet<int> ResumableChangeStreamCodes =
        [.. RetryableWrites.RetryableCodes, 63, 133, 150, 234, 13388];

    private readonly Dictionary<long, ChangeStreamCursor> changeStreams = [];

    // The change streams whose getMore waits for a change now, with how many wait: tests wait for this condition
    // instead of guessing how long a getMore takes to reach the server.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, int> waitingGetMores = new();

    /// <summary>Whether a getMore on the change stream <paramref name="cursorId"/> is waiting for a change now.</summary>
    internal bool IsGetMoreWaiting(long cursorId) => waitingGetMores.TryGetValue(cursorId, out var count) && count > 0;

    private BsonDocument OpenChangeStream(CommandRequest request, BsonArray stages, int? batchSize)
    {
        if (server.Options.Standalone)
        {
            throw new MongoServerException(40573, "Location40573", "The $changeStream stage is only supported on replica sets");
        }

        var options = stages[0].AsBsonDocument[0] as BsonDocument
            ?? throw new MongoServerException(ErrorCode.FailedToParse, "the $changeStream stage must be specified as an object");
        for (var i = 1; i < stages.Count; i++)
        {
            if (stages[i] is BsonDocument stage && stage.Contains("$changeStream"))
            {
                throw new MongoServerException(40602, "Location40602", "$changeStream is only valid as the first stage in a pipeline");
            }
        }

        var pipeline = stages.Count > 1 ? AggregationPipeline.Parse([.. stages.Skip(1)], forUpdate: false) : null;
        string? database = request.Database;
        string? collection = null;
        string ns;
        if (request.Target is BsonString)
        {
            collection = CommandArguments.CollectionName(request);
            ns = $"{database}.{collection}";
        }
        else if (options.GetValue("allChangesForCluster", false).ToBoolean())
        {
            if (request.Database != "admin")
            {
                throw new MongoServerException(ErrorCode.InvalidOptions, "$changeStream with allChangesForCluster:true must be run against the 'admin' database with {aggregate: 1}");
            }

            database = null;
            ns = "admin.$cmd.aggregate";
        }
        else
        {
            if (SystemDatabases.Contains(request.Database))
            {
                throw new MongoServerException(ErrorCode.InvalidNamespace, $"$changeStream may not be opened on the internal {request.Database} database");
            }

            ns = $"{request.Database}.$cmd.aggregate";
        }

        var fullDocument = "default";
        var position = server.Storage.ChangeLog.LastSequence;
        var historyLost = false;
        foreach (var option in options)
        {
            switch (option.Name)
            {
                case "allChangesForCluster":
                    break;
                case "showExpandedEvents":
                    // Expanded events (create, createIndexes, modify, ... and collectionUUID) are not recorded.
                    if (option.Value.ToBoolean())
                    {
                        throw MongoServerException.NotSupported("showExpandedEvents: true (DDL change events)");
                    }

                    break;
                case "fullDocument":
                    fullDocument = option.Value.AsString;
                    if (fullDocument is not ("default" or "updateLookup"))
                    {
                        throw MongoServerException.NotSupported($"fullDocument: '{fullDocument}' (it needs pre- and post-images)");
                    }

                    break;
                case "fullDocumentBeforeChange":
                    if (option.Value.AsString != "off")
                    {
                        throw MongoServerException.NotSupported("fullDocumentBeforeChange (it needs pre- and post-images)");
                    }

                    break;
                case "resumeAfter" or "startAfter":
                    var (sequence, invalidate) = ParseResumeToken(option.Value);
                    if (invalidate && option.Name == "resumeAfter")
                    {
                        throw new MongoServerException(
                            ErrorCode.InvalidResumeToken,
                            "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification.");
                    }

                    historyLost = !server.Storage.ChangeLog.CanResumeAfter(sequence);
                    position = sequence;
                    break;
                case "startAtOperationTime":
                    var time = option.Value.AsBsonTimestamp;
                    historyLost = !server.Storage.ChangeLog.CanStartAt(time);
                    position = server.Storage.ChangeLog.After(0).LastOrDefault(e => e.ClusterTime.CompareTo(time) < 0)?.Sequence
                        ?? server.Storage.ChangeLog.FirstKeptSequence - 1;
                    break;
                default:
                    throw new MongoServerException(ErrorCode.FailedToParse, $"unrecognized option to $changeStream stage: {option.Name}");
            }
        }

        if (historyLost)
        {
            throw new MongoServerException(ErrorCode.ChangeStreamHistoryLost, "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");
        }

        var cursor = new ChangeStreamCursor(++lastCursorId, ns, database, collection, fullDocument, pipeline)
        {
            Position = position,
        };
        changeStreams[cursor.Id] = cursor;
        BsonArray batch;
        try
        {
            batch = CollectChanges(cursor, batchSize ?? DefaultBatchSize);
        }
        catch (MongoServerException)
        {
            changeStreams.Remove(cursor.Id);
            throw;
        }

        return ChangeStreamReply(cursor, batch, "firstBatch");
    }

    /// <summary>
    /// getMore on a change stream: returns what is there, else waits (without holding the storage lock) until a
    /// change arrives or <c>maxTimeMS</c> passes.
    /// </summary>
    private async Task<BsonDocument?> ChangeStreamGetMoreAsync(BsonDocument command, ConnectionContext connection, CancellationToken cancellationToken)
    {
        if (command.GetElement(0).Value is not BsonInt64 id)
        {
            return null;
        }

        var wait = CommandArguments.OptionalInt64(command, "maxTimeMS") is { } maxTime and > 0 ? maxTime : DefaultAwaitMilliseconds;
        var deadline = DateTime.UtcNow.AddMilliseconds(wait);
        var batchSize = (int?)CommandArguments.OptionalInt64(command, "batchSize") is { } size and > 0 ? size : int.MaxValue;
        while (true)
        {
            Task appended;
            lock (server.Storage.SyncRoot)
            {
                if (!changeStreams.TryGetValue(id.Value, out var cursor))
                {
                    return null;
                }

                if (FailPoints.Trigger("failGetMoreAfterCursorCheckout", "getMore", connection) is { } failure)
                {
                    changeStreams.Remove(id.Value);
                    var code = failure.GetValue("errorCode", (int)ErrorCode.InternalError).ToInt32();
                    var reply = ErrorReply(new MongoServerException(code, ErrorCodeName(code), "Failing getMore via 'failGetMoreAfterCursorCheckout' failpoint"));
                    if (ResumableChangeStreamCodes.Contains(code))
                    {
                        reply["errorLabels"] = new BsonArray { "ResumableChangeStreamError" };
                    }

                    return reply;
                }

                var collection = command.GetValue("collection", "").AsString;
                var ns = $"{command.GetValue("$db", "admin").AsString}.{collection}";
                if (cursor.Namespace != ns && !cursor.Namespace.EndsWith(".$cmd.aggregate", StringComparison.Ordinal))
                {
                    throw new MongoServerException(ErrorCode.Unauthorized, $"Requested getMore on namespace '{ns}', but cursor belongs to a different namespace {cursor.Namespace}");
                }

                BsonArray batch;
                try
                {
                    batch = CollectChanges(cursor, batchSize);
                }
                catch (MongoServerException ex)
                {
                    // A getMore that fails kills its cursor. A fatal error is labelled so that drivers know not to
                    // resume (change_stream_error_label.js).
                    changeStreams.Remove(id.Value);
                    var reply = ErrorReply(ex);
                    if (ex.Code == (int)ErrorCode.ChangeStreamFatalError)
                    {
                        reply["errorLabels"] = new BsonArray { "NonResumableChangeStreamError" };
                    }

                    return reply;
                }

                if (batch.Count > 0 || cursor.Closed || DateTime.UtcNow >= deadline)
                {
                    return ChangeStreamReply(cursor, batch, "nextBatch");
                }

                appended = server.Storage.ChangeLog.Appended;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining > TimeSpan.Zero)
            {
                waitingGetMores.AddOrUpdate(id.Value, 1, (_, count) => count + 1);
                try
                {
                    await Task.WhenAny(appended, Task.Delay(remaining, cancellationToken)).ConfigureAwait(false);
                }
                finally
                {
                    waitingGetMores.AddOrUpdate(id.Value, 0, (_, count) => count - 1);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private BsonDocument ChangeStreamReply(ChangeStreamCursor cursor, BsonArray batch, string batchName)
    {
        var id = cursor.Id;
        if (cursor.Closed)
        {
            changeStreams.Remove(cursor.Id);
            id = 0;
        }

        return Ok(new BsonDocument("cursor", new BsonDocument
        {
            { batchName, batch },
            { "postBatchResumeToken", ResumeToken(cursor.Position, cursor.Closed && cursor.Invalidated) },
            { "id", id },
            { "ns", cursor.Namespace },
        }));
    }

    /// <summary>
    /// The events after the cursor's position, through its pipeline, up to <paramref name="batchSize"/> events and 16 MB
    /// of them (always at least one). Each event, after the pipeline, must be a BSON object MongoDB can build (16 MB +
    /// 16 KB): a larger one fails the command with BSONObjectTooLarge and kills the cursor, as MongoDB's plan executor
    /// does when it serializes the event (a client resuming before it meets it again).
    /// </summary>
    private BsonArray CollectChanges(ChangeStreamCursor cursor, int batchSize)
    {
        var batch = new BsonArray();
        if (cursor.Closed)
        {
            return batch;
        }

        var context = new ExpressionContext(server.Now);
        var bytes = 0;
        foreach (var entry in server.Storage.ChangeLog.After(cursor.Position).ToList())
        {
            if (batch.Count >= batchSize)
            {
                break;
            }

            if (!InScope(cursor, entry))
            {
                cursor.Position = entry.Sequence;
                continue;
            }

            var events = new List<BsonDocument> { EventDocument(cursor, entry) };
            var invalidates = cursor.Collection is not null
                ? entry.OperationType is "drop" or "rename"
                : cursor.Database is not null && entry.OperationType == "dropDatabase";
            if (invalidates)
            {
                events.Add(new BsonDocument
                {
                    { "_id", ResumeToken(entry.Sequence, invalidate: true) },
                    { "operationType", "invalidate" },
                    { "clusterTime", entry.ClusterTime },
                    { "wallTime", entry.WallTime },
                });
            }

            var results = new List<(BsonDocument Event, int Size)>();
            foreach (var change in events)
            {
                var token = change["_id"];
                var output = cursor.Pipeline is null ? [change] : cursor.Pipeline.Execute([change], context).ToList();
                foreach (var result in output)
                {
                    if (!result.TryGetValue("_id", out var kept) || !kept.Equals(token))
                    {
                        throw new MongoServerException(
                            ErrorCode.ChangeStreamFatalError,
                            $"Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed. Expected: {new BsonDocument("_id", token).ToJson()} but found: {(kept is null ? "{}" : new BsonDocument("_id", kept).ToJson())}");
                    }

                    results.Add((result, BsonSize.CheckInternal(result)));
                }
            }

            var entryBytes = results.Sum(r => r.Size);
            if (batch.Count > 0 && bytes + entryBytes > BsonSize.MaxBatchBytes)
            {
                // The batch is full: this entry starts the next one.
                break;
            }

            bytes += entryBytes;
            foreach (var (result, _) in results)
            {
                batch.Add(result);
            }

            cursor.Position = entry.Sequence;
            if (invalidates)
            {
                cursor.Closed = true;
                cursor.Invalidated = true;
                break;
            }
        }

        return batch;
    }

    private static bool InScope(ChangeStreamCursor cursor, ChangeEntry entry)
    {
        if (cursor.Database is null)
        {
            return !SystemDatabases.Contains(entry.Database);
        }

        if (entry.Database != cursor.Database)
        {
            return false;
        }

        return cursor.Collection is null || entry.Collection == cursor.Collection;
    }

    private BsonDocument EventDocument(ChangeStreamCursor cursor, ChangeEntry entry)
    {
        var change = new BsonDocument
        {
            { "_id", ResumeToken(entry.Sequence, invalidate: false) },
            { "operationType", entry.OperationType },
            { "clusterTime", entry.ClusterTime },
            { "wallTime", entry.WallTime },
        };
        switch (entry.OperationType)
        {
            case "insert" or "replace":
                change["fullDocument"] = entry.After!.DeepClone();
                break;
            case "update" when cursor.FullDocument == "updateLookup":
                var current = server.Storage.FindDatabase(entry.Database)?.FindCollection(entry.Collection!)?.Documents
                    .FirstOrDefault(d => d["_id"].Equals(entry.DocumentId));
                change["fullDocument"] = current?.DeepClone() ?? BsonNull.Value;
                break;
        }

        change["ns"] = entry.Collection is null
            ? new BsonDocument("db", entry.Database)
            : new BsonDocument { { "db", entry.Database }, { "coll", entry.Collection } };
        if (entry.RenamedTo is { } to)
        {
            change["to"] = new BsonDocument { { "db", to.Database }, { "coll", to.Collection } };
        }

        if (entry.DocumentId is not null)
        {
            change["documentKey"] = new BsonDocument("_id", entry.DocumentId);
        }

        if (entry.OperationType == "update")
        {
            change["updateDescription"] = UpdateDescriptionBuilder.Build(entry.Before!, entry.After!, entry.RewrittenPaths);
        }

        return change;
    }

    private static BsonDocument ResumeToken(long sequence, bool invalidate) =>
        new("_data", $"{sequence:X16}{(invalidate ? "01" : "00")}");

    private static (long Sequence, bool Invalidate) ParseResumeToken(BsonValue token)
    {
        if (token is BsonDocument document && document.TryGetValue("_data", out var data) && data is BsonString text &&
            text.Value.Length == 18 &&
            long.TryParse(text.Value.AsSpan(0, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var sequence))
        {
            return (sequence, text.Value.EndsWith("01", StringComparison.Ordinal));
        }

        throw new MongoServerException(ErrorCode.InvalidResumeToken, $"Invalid resume token: {token.ToJson()}");
    }

    private sealed class ChangeStreamCursor(long id, string ns, string? database, string? collection, string fullDocument, AggregationPipeline? pipeline)
    {
        public long Id { get; } = id;

        public string Namespace { get; } = ns;

        /// <summary>The watched database, or null for the whole deployment.</summary>
        public string? Database { get; } = database;

        /// <summary>The watched collection, or null for a database or the deployment.</summary>
        public string? Collection { get; } = collection;

        public string FullDocument { get; } = fullDocument;

        public AggregationPipeline? Pipeline { get; } = pipeline;

        /// <summary>The sequence number of the last change log entry this cursor has looked at.</summary>
        public long Position { get; set; }

        public bool Closed { get; set; }

        public bool Invalidated { get; set; }
    }
}
