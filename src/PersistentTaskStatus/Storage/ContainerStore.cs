using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using PersistentTaskStatus.Diagnostics;

namespace PersistentTaskStatus.Storage;

/// <summary>
/// Owns the collection of containers: runs each <see cref="ContainerWrite"/> as one <c>findAndModify</c>, creates the
/// indexes once, and turns MongoDB's errors about document size into the library's exception.
/// </summary>
internal sealed class ContainerStore
{
    /// <summary>MongoDB's document limit.</summary>
    public const int MaxDocumentBytes = 16 * 1024 * 1024;

    // BSONObjectTooLarge, and "Resulting document after update is larger than 16777216".
    private static readonly HashSet<int> DocumentTooLargeCodes = [10334, 17419, 17420];

    private readonly BsonDocument? retentionStage;
    private readonly TimeSpan operationTimeout;
    private readonly ServerRequirement requirement;
    private readonly CollectionInitializer initializer;

    public ContainerStore(IMongoDatabase database, TaskStatusOptions options)
    {
        Collection = database
            .GetCollection<BsonDocument>(options.CollectionName)
            .WithWriteConcern(options.WriteConcern);
        retentionStage = ContainerCommands.RetentionStage(options.CompletedRetention, options.FailedRetention);
        Logger = options.LoggerFactory.CreateLogger(Telemetry.Name);
        operationTimeout = options.OperationTimeout;
        requirement = new ServerRequirement(database);
        initializer = new CollectionInitializer(Collection, requirement, options.CreateIndexes, options.TimeProvider, Logger);
    }

    public IMongoCollection<BsonDocument> Collection { get; }

    public ILogger Logger { get; }

    /// <summary>Runs one write; returns the document after it (projected), or null when the filter matched nothing.</summary>
    public Task<BsonDocument?> WriteAsync(string operation, ContainerWrite write, string containerName, string? taskName, CancellationToken cancellationToken) =>
        InstrumentAsync(operation, containerName, taskName, token => SendWriteAsync(write, containerName, taskName, token), reply => reply is not null, cancellationToken);

    private async Task<BsonDocument?> SendWriteAsync(ContainerWrite write, string containerName, string? taskName, CancellationToken cancellationToken)
    {
        await EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        var options = new FindOneAndUpdateOptions<BsonDocument>
        {
            IsUpsert = write.Upsert,
            ReturnDocument = ReturnDocument.After,
            Projection = write.Projection.ElementCount == 0 ? null : write.Projection,
        };
        try
        {
            return await Collection.FindOneAndUpdateAsync<BsonDocument>(
                write.Filter,
                new PipelineUpdateDefinition<BsonDocument>(PipelineDefinition<BsonDocument, BsonDocument>.Create(Stages(write))),
                options,
                cancellationToken).ConfigureAwait(false);
        }
        catch (MongoCommandException ex) when (DocumentTooLargeCodes.Contains(ex.Code))
        {
            throw new TaskContainerTooLargeException(containerName, taskName, ex);
        }
    }

    /// <summary>The write's pipeline, plus the retention stage when retention is configured.</summary>
    private IEnumerable<BsonDocument> Stages(ContainerWrite write)
    {
        foreach (var stage in write.Pipeline)
        {
            yield return stage.AsBsonDocument;
        }

        if (retentionStage is not null)
        {
            yield return retentionStage;
        }
    }

    /// <summary>Removes a container; true when it existed.</summary>
    public Task<bool> DeleteAsync(string containerName, CancellationToken cancellationToken) =>
        InstrumentAsync("DeleteTaskContainer", containerName, null, token => SendDeleteAsync(containerName, token), existed => existed, cancellationToken);

    private async Task<bool> SendDeleteAsync(string containerName, CancellationToken cancellationToken)
    {
        await EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        var removed = await Collection.FindOneAndDeleteAsync(
            ContainerCommands.ByName(containerName),
            new FindOneAndDeleteOptions<BsonDocument> { Projection = new BsonDocument(Fields.Id, 1) },
            cancellationToken).ConfigureAwait(false);
        return removed is not null;
    }

    public Task<BsonDocument?> FindAsync(string containerName, BsonDocument? projection, CancellationToken cancellationToken) =>
        InstrumentAsync("Find", containerName, null, token => SendFindAsync(containerName, projection, token), document => document is not null, cancellationToken);

    private async Task<BsonDocument?> SendFindAsync(string containerName, BsonDocument? projection, CancellationToken cancellationToken)
    {
        await EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        var find = Collection.Find(ContainerCommands.ByName(containerName));
        if (projection is not null)
        {
            find = find.Project(projection);
        }

        return await find.FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a container query: newest change first, at most <paramref name="limit"/> documents.</summary>
    public Task<List<BsonDocument>> QueryAsync(BsonDocument filter, BsonDocument projection, int limit, CancellationToken cancellationToken) =>
        InstrumentAsync("QueryTaskContainers", "*", null, token => SendQueryAsync(filter, projection, limit, token), found => found.Count > 0, cancellationToken);

    /// <summary>
    /// Prepares the collection (see <see cref="CollectionInitializer"/>) within the operation timeout, for callers
    /// outside another operation; nothing to do, and no span, once it is prepared.
    /// </summary>
    public Task EnsureIndexesWithinTimeoutAsync(CancellationToken cancellationToken) =>
        initializer.IsReady
            ? Task.CompletedTask
            : InstrumentAsync("EnsureIndexes", "*", null, async token =>
            {
                await EnsureIndexesAsync(token).ConfigureAwait(false);
                return true;
            }, _ => true, cancellationToken);

    private async Task<List<BsonDocument>> SendQueryAsync(BsonDocument filter, BsonDocument projection, int limit, CancellationToken cancellationToken)
    {
        await EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        return await Collection.Find(filter)
            .Sort(ContainerCommands.NewestFirst)
            .Limit(limit)
            .Project(projection)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Prepares the collection once per client (checks the MongoDB version, creates the indexes), within the caller's
    /// deadline: every operation calls it first, inside its own <see cref="TaskStatusOptions.OperationTimeout"/>.
    /// </summary>
    private Task EnsureIndexesAsync(CancellationToken cancellationToken) => initializer.EnsureReadyAsync(cancellationToken);

    /// <summary>
    /// Runs one operation inside its span and within <see cref="TaskStatusOptions.OperationTimeout"/>, records its
    /// outcome (matched, not matched, error) and duration, and logs a failure. Errors are never swallowed.
    /// </summary>
    private async Task<T> InstrumentAsync<T>(
        string operation,
        string containerName,
        string? taskName,
        Func<CancellationToken, Task<T>> run,
        Func<T, bool> matched,
        CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation(operation, containerName, taskName);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (operationTimeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(operationTimeout);
        }

        try
        {
            T result;
            try
            {
                result = await run(timeout.Token).ConfigureAwait(false);
            }
            catch (MongoCommandException ex) when (requirement.Explain(ex, operation, containerName, taskName) is { } unsupported)
            {
                throw unsupported;
            }
            catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"{operation} on {(containerName == "*" ? "task containers" : $"task container '{containerName}'")}{(taskName is null ? "" : $" (task '{taskName}')")} got no answer from MongoDB within {operationTimeout.TotalSeconds:0.###} s (TaskStatusOptions.OperationTimeout). A write may or may not have been applied; it was applied whole or not at all.",
                    ex);
            }

            outcome = matched(result) ? "success" : "not_matched";
            activity?.SetTag("pts.outcome", outcome);
            return result;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            if (ex is not OperationCanceledException)
            {
                Log.OperationFailed(Logger, operation, containerName, taskName, ex.Message, ex);
            }

            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var tags = new TagList { { "pts.operation", operation }, { "pts.outcome", outcome } };
            Telemetry.Operations.Add(1, tags);
            Telemetry.OperationDuration.Record(elapsed, tags);
            Log.OperationCompleted(Logger, operation, containerName, taskName, elapsed);
        }
    }

    /// <summary>
    /// Throws <see cref="TaskContainerTooLargeException"/> when the write's filter, pipeline and projection together pass
    /// MongoDB's 16 MB limit: the command could not be sent, and since it carries each new value once, the container
    /// after it would pass the limit too. For writes that carry several values, each checked on its own.
    /// </summary>
    public static void EnsureFits(ContainerWrite write, string containerName, string? taskName)
    {
        var size = new BsonDocument { { "query", write.Filter }, { "update", write.Pipeline }, { "fields", write.Projection } }.ToBson().Length;
        if (size > MaxDocumentBytes)
        {
            throw new TaskContainerTooLargeException(containerName, taskName);
        }
    }

    /// <summary>Serializes task or processing data into a document, checking the size before anything is sent.</summary>
    public static BsonDocument? SerializeData(object? data, string containerName, string taskName, string what)
    {
        if (data is null)
        {
            return null;
        }

        BsonDocument document;
        int size;
        try
        {
            if (data is BsonDocument bson)
            {
                document = bson;
            }
            else
            {
                document = [];
                using (var writer = new BsonDocumentWriter(document))
                {
                    BsonSerializer.Serialize(writer, data.GetType(), data);
                }
            }

            size = document.ToBson().Length;
        }
        catch (Exception ex) when (ex is FormatException or BsonSerializationException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            if (ex.Message.Contains("MaxDocumentSize", StringComparison.Ordinal) || ex.Message.Contains("too large", StringComparison.OrdinalIgnoreCase))
            {
                throw new TaskContainerTooLargeException(containerName, taskName, ex);
            }

            throw new ArgumentException(
                $"The {what} of task '{taskName}' of task container '{containerName}' cannot be written as a BSON document: {ex.Message}",
                what,
                ex);
        }

        if (size > MaxDocumentBytes)
        {
            throw new TaskContainerTooLargeException(containerName, taskName);
        }

        return document;
    }
}
