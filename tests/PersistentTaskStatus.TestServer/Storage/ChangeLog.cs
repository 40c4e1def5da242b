using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>
/// Every committed change in commit order, the way change streams read MongoDB's oplog. Stored documents are never
/// mutated after they are stored (an update stores a new document), so entries keep references, not copies.
/// Appends happen under <see cref="StorageEngine.SyncRoot"/>; waiting readers are woken without it.
/// </summary>
internal sealed class ChangeLog(TimeProvider clock, long maxBytes = ChangeLog.DefaultMaxBytes)
{
    /// <summary>A change log on the system clock.</summary>
    public ChangeLog()
        : this(TimeProvider.System)
    {
    }

    /// <summary>
    /// How many entries are kept, and how many bytes of documents they may hold (<see cref="MaxBytes"/>), like the
    /// oplog's size limit: a change stream resuming from a point no longer kept gets ChangeStreamHistoryLost.
    /// </summary>
    public const int Capacity = 100_000;

    public const long DefaultMaxBytes = 256L * 1024 * 1024;

    private long bytesKept;

    /// <summary>The byte budget of the documents the kept entries hold (<see cref="MongoTestServerOptions.ChangeLogMaxBytes"/>).</summary>
    public long MaxBytes { get; } = maxBytes;

    private readonly LinkedList<ChangeEntry> entries = new();
    private TaskCompletionSource appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint lastSeconds;
    private uint increment;

    /// <summary>The sequence number of the newest entry (0 when none).</summary>
    public long LastSequence { get; private set; }

    /// <summary>The sequence number of the oldest entry still kept.</summary>
    public long FirstKeptSequence => entries.First?.Value.Sequence ?? LastSequence + 1;

    /// <summary>The cluster time of the oldest entry still kept, or null when nothing was written yet.</summary>
    public BsonTimestamp? FirstKeptClusterTime => entries.First?.Value.ClusterTime;

    /// <summary>
    /// Whether a change stream can start right after entry <paramref name="sequence"/>: MongoDB resumes only when the
    /// oldest entry of its oplog is at or before the resume point (the oplog scan asserts that its minimum timestamp is
    /// still there, OplogQueryMinTsMissing, reported as ChangeStreamHistoryLost), so the entry itself must still be
    /// kept. Sequence 0 is the start of a log that has lost nothing.
    /// </summary>
    public bool CanResumeAfter(long sequence) =>
        sequence >= FirstKeptSequence || (sequence == FirstKeptSequence - 1 && sequence == 0);

    /// <summary>Whether a change stream can start at cluster time <paramref name="time"/>: the oldest entry kept is at or before it.</summary>
    public bool CanStartAt(BsonTimestamp time) =>
        FirstKeptSequence == 1 || (FirstKeptClusterTime is { } oldest && oldest.CompareTo(time) <= 0);

    /// <summary>The cluster time of the newest entry, or of now when nothing was written yet.</summary>
    public BsonTimestamp LastClusterTime => entries.Last?.Value.ClusterTime ?? NextClusterTime(peek: true);

    /// <summary>Completes when the next entry is appended.</summary>
    public Task Appended => appended.Task;

    public ChangeEntry Append(
        string operationType,
        string database,
        string? collection,
        BsonValue? documentId = null,
        BsonDocument? before = null,
        BsonDocument? after = null,
        bool isReplacement = false,
        (string Database, string Collection)? renamedTo = null,
        long bytes = 0,
        IReadOnlyList<string>? rewrittenPaths = null)
    {
        var entry = new ChangeEntry(
            ++LastSequence,
            NextClusterTime(peek: false),
            clock.GetUtcNow().UtcDateTime,
            operationType,
            database,
            collection,
            documentId,
            before,
            after,
            isReplacement,
            renamedTo,
            bytes,
            rewrittenPaths ?? []);
        entries.AddLast(entry);
        bytesKept += bytes;
        while (entries.Count > 1 && (entries.Count > Capacity || bytesKept > MaxBytes))
        {
            bytesKept -= entries.First!.Value.Bytes;
            entries.RemoveFirst();
        }

        var waiting = appended;
        appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.TrySetResult();
        return entry;
    }

    /// <summary>The entries after <paramref name="sequence"/>, oldest first.</summary>
    public IEnumerable<ChangeEntry> After(long sequence)
    {
        // Readers usually ask for the newest few entries: walk back from the end.
        var node = entries.Last;
        while (node?.Previous is not null && node.Previous.Value.Sequence > sequence)
        {
            node = node.Previous;
        }

        for (; node is not null; node = node.Next)
        {
            if (node.Value.Sequence > sequence)
            {
                yield return node.Value;
            }
        }
    }

    private BsonTimestamp NextClusterTime(bool peek)
    {
        var seconds = (uint)clock.GetUtcNow().ToUnixTimeSeconds();
        if (peek)
        {
            return new BsonTimestamp((int)Math.Max(seconds, lastSeconds), (int)increment);
        }

        if (seconds > lastSeconds)
        {
            lastSeconds = seconds;
            increment = 0;
        }

        return new BsonTimestamp((int)lastSeconds, (int)++increment);
    }
}

/// <summary>One committed change.</summary>
internal sealed record ChangeEntry(
    long Sequence,
    BsonTimestamp ClusterTime,
    DateTime WallTime,
    string OperationType,
    string Database,
    string? Collection,
    BsonValue? DocumentId,
    BsonDocument? Before,
    BsonDocument? After,
    bool IsReplacement,
    (string Database, string Collection)? RenamedTo,
    long Bytes,
    IReadOnlyList<string> RewrittenPaths);
