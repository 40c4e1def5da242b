using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Storage;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>Open cursors and the <c>getMore</c> and <c>killCursors</c> commands.</summary>
internal sealed partial class CommandDispatcher
{
    private const int DefaultBatchSize = 101;
    private readonly Dictionary<long, ServerCursor> cursors = [];
    private long lastCursorId = 1_000_000;

    private void RegisterCursorCommands()
    {
        Register("getMore", GetMore);
        Register("killCursors", KillCursors);
    }

    /// <summary>
    /// The reply of a command that opens a cursor: the first batch, and a cursor id when results remain.
    /// </summary>
    private BsonDocument CursorReply(string ns, IEnumerable<BsonDocument> results, int? batchSize, bool singleBatch)
    {
        var remaining = new Queue<BsonDocument>(results);
        var firstBatch = TakeBatch(remaining, batchSize ?? DefaultBatchSize);
        long id = 0;
        if (remaining.Count > 0 && !singleBatch)
        {
            id = ++lastCursorId;
            cursors[id] = new ServerCursor(id, ns, remaining);
        }

        return Ok(new BsonDocument("cursor", new BsonDocument
        {
            { "firstBatch", firstBatch },
            { "id", id },
            { "ns", ns },
        }));
    }

    private BsonDocument GetMore(CommandRequest request)
    {
        var id = request.Target.BsonType == BsonType.Int64
            ? request.Target.AsInt64
            : throw CommandArguments.WrongType("getMore", request.Target, "long");
        var collection = request.Command.TryGetValue("collection", out var c) && c is BsonString s
            ? s.Value
            : throw MongoServerException.FailedToParse("BSON field 'getMore.collection' is missing but a required field");
        if (!cursors.TryGetValue(id, out var cursor))
        {
            throw new MongoServerException(ErrorCode.CursorNotFound, $"cursor id {id} not found");
        }

        var ns = $"{request.Database}.{collection}";
        if (cursor.Namespace != ns)
        {
            throw new MongoServerException(
                ErrorCode.Unauthorized,
                $"Requested getMore on namespace '{ns}', but cursor belongs to a different namespace {cursor.Namespace}");
        }

        var batchSize = (int?)CommandArguments.OptionalInt64(request.Command, "batchSize");
        BsonArray batch;
        try
        {
            batch = TakeBatch(cursor.Remaining, batchSize is null or <= 0 ? int.MaxValue : batchSize.Value);
        }
        catch (MongoServerException)
        {
            // A getMore that fails kills its cursor, as on MongoDB.
            cursors.Remove(id);
            throw;
        }
        if (cursor.Remaining.Count == 0)
        {
            cursors.Remove(id);
            id = 0;
        }

        return Ok(new BsonDocument("cursor", new BsonDocument
        {
            { "nextBatch", batch },
            { "id", id },
            { "ns", ns },
        }));
    }

    private BsonDocument KillCursors(CommandRequest request)
    {
        var ids = CommandArguments.OptionalArray(request.Command, "cursors")
            ?? throw MongoServerException.FailedToParse("BSON field 'killCursors.cursors' is missing but a required field");
        var killed = new BsonArray();
        var notFound = new BsonArray();
        foreach (var value in ids)
        {
            if (cursors.Remove(value.ToInt64()) || changeStreams.Remove(value.ToInt64()))
            {
                killed.Add(value);
            }
            else
            {
                notFound.Add(value);
            }
        }

        return Ok(new BsonDocument
        {
            { "cursorsKilled", killed },
            { "cursorsNotFound", notFound },
            { "cursorsAlive", new BsonArray() },
            { "cursorsUnknown", new BsonArray() },
        });
    }

    /// <summary>
    /// The next batch: at most <paramref name="batchSize"/> documents and 16 MB of them, always at least one; a result
    /// document past MongoDB's object limit fails the command, as MongoDB fails to build it.
    /// </summary>
    private static BsonArray TakeBatch(Queue<BsonDocument> remaining, int batchSize)
    {
        var batch = new BsonArray();
        var bytes = 0;
        while (remaining.Count > 0 && batch.Count < batchSize)
        {
            var size = BsonSize.CheckInternal(remaining.Peek());
            if (batch.Count > 0 && bytes + size > BsonSize.MaxBatchBytes)
            {
                break;
            }

            bytes += size;
            batch.Add(remaining.Dequeue());
        }

        return batch;
    }

    private sealed record ServerCursor(long Id, string Namespace, Queue<BsonDocument> Remaining);
}
