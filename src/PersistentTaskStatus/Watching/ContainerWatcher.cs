using System.Runtime.CompilerServices;
using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus.Watching;

/// <summary>
/// Streams the committed states of containers: through a change stream (<c>fullDocument: "updateLookup"</c>) that
/// resumes after an error passes from the newest point the server reported (the post-batch resume token, which moves
/// on while the watch is idle), or, where the deployment offers no change streams (a standalone server), by polling.
/// </summary>
/// <remarks>
/// Each event keeps only what the library reads (<c>_id</c>, the resume token; <c>operationType</c>;
/// <c>fullDocument</c>), so an event is at most a container (16 MB, MongoDB's document limit) and a resume token, under
/// MongoDB's limit on an event (16 MB + 16 KB): without the projection an update carried the changed values twice
/// (<c>updateDescription</c> and <c>fullDocument</c>) and a change to a large container failed every
/// <c>getMore</c> with BSONObjectTooLarge, for good, as resuming meets the same event again. Should an event still
/// be too large, the watch starts again from now and re-reads the containers changed since the last state it
/// delivered, instead of ending.
/// </remarks>
internal sealed class ContainerWatcher(TaskStatusClient client)
{
    /// <summary>MongoDB's answer to $changeStream on a standalone server.</summary>
    private const int ChangeStreamsNotSupported = 40573;

    /// <summary>MongoDB's CursorNotFound.</summary>
    private const int CursorNotFound = 43;
    /// <summary>BSONObjectTooLarge: an event past MongoDB's object limit.</summary>
    private const int EventTooLarge = 10334;

    private static readonly TimeSpan MaxResumeDelay = TimeSpan.FromSeconds(5);

    /// <summary>What the library reads of an event; the rest (<c>updateDescription</c> above all) is left on the server.</summary>
    private static readonly BsonDocument WhatIsRead = new("$project", new BsonDocument { { "operationType", 1 }, { "fullDocument", 1 } });

    /// <summary>The states of one container, until it is deleted or the caller stops.</summary>
    public IAsyncEnumerable<BsonDocument> WatchOneAsync(BsonValue id, string name, bool includeCurrentState, CancellationToken cancellationToken) =>
        WatchAsync(
            new BsonDocument("documentKey._id", id),
            endOnDelete: true,
            poll: since => PollOneAsync(name, since, cancellationToken),
            includeCurrentState,
            cancellationToken);

    /// <summary>The states of every container, or of those whose name starts with a prefix, until the caller stops.</summary>
    public IAsyncEnumerable<BsonDocument> WatchManyAsync(string? namePrefix, CancellationToken cancellationToken)
    {
        var match = new BsonDocument("operationType", new BsonDocument("$in", new BsonArray { "insert", "update", "replace" }));
        var query = new TaskContainerQuery { NamePrefix = namePrefix };
        if (!string.IsNullOrEmpty(namePrefix))
        {
            match["fullDocument.name"] = ContainerCommands.QueryFilter(query, DateTime.MinValue, null)[Fields.Name];
        }

        return WatchAsync(match, endOnDelete: false, poll: since => PollManyAsync(query, since, cancellationToken), includeCurrentState: false, cancellationToken);
    }

    private async IAsyncEnumerable<BsonDocument> WatchAsync(
        BsonDocument match,
        bool endOnDelete,
        Func<DateTime, Task<List<BsonDocument>>> poll,
        bool includeCurrentState,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await client.Store.EnsureIndexesWithinTimeoutAsync(cancellationToken).ConfigureAwait(false);
        BsonDocument? resumeToken = null;
        var failures = 0;

        // When set, the stream is read from now on and the containers changed since this time are read first.
        DateTime? rereadSince = includeCurrentState ? DateTime.MinValue : null;
        var lastDelivered = DateTime.MinValue;
        var pipeline = PipelineDefinition<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>>.Create(
            [new BsonDocument("$match", match), WhatIsRead]);
        while (!cancellationToken.IsCancellationRequested)
        {
            var options = new ChangeStreamOptions
            {
                FullDocument = ChangeStreamFullDocumentOption.UpdateLookup,
                ResumeAfter = resumeToken,
                MaxAwaitTime = client.Options.WatchPollInterval,
            };
            IChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor;
            try
            {
                cursor = await client.Store.Collection.WatchAsync(pipeline, options, cancellationToken).ConfigureAwait(false);
            }
            catch (MongoCommandException ex) when (ex.Code == ChangeStreamsNotSupported)
            {
                Diagnostics.Log.WatchPolling(client.Store.Logger, client.Options.WatchPollInterval.TotalMilliseconds);
                break;
            }
            catch (MongoCommandException ex) when (ex.Code == EventTooLarge && !cancellationToken.IsCancellationRequested)
            {
                (resumeToken, rereadSince) = SkipLargeEvent(ex, lastDelivered);
                continue;
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                await DelayAfterFailureAsync(++failures, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (cursor)
            {
                resumeToken = cursor.GetResumeToken() ?? resumeToken;
                if (rereadSince is { } changedSince)
                {
                    // Read after the stream is open: every change after this state comes through the stream.
                    rereadSince = null;
                    List<BsonDocument> current;
                    try
                    {
                        current = await poll(changedSince).ConfigureAwait(false);
                    }
                    catch (ContainerGoneException)
                    {
                        yield break;
                    }

                    foreach (var document in current)
                    {
                        lastDelivered = Max(lastDelivered, document[Fields.UpdatedAt].ToUniversalTime());
                        yield return document;
                    }
                }

                while (true)
                {
                    IEnumerable<ChangeStreamDocument<BsonDocument>> batch;
                    try
                    {
                        if (!await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                        {
                            break;
                        }

                        batch = cursor.Current;
                        failures = 0;
                    }
                    catch (MongoCommandException ex) when (ex.Code == EventTooLarge && !cancellationToken.IsCancellationRequested)
                    {
                        (resumeToken, rereadSince) = SkipLargeEvent(ex, lastDelivered);
                        break;
                    }
                    catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
                    {
                        Diagnostics.Log.WatchResuming(client.Store.Logger, ex.Message);

                        // Reopen from the newest point reached: nothing skipped, nothing repeated.
                        await DelayAfterFailureAsync(++failures, cancellationToken).ConfigureAwait(false);
                        break;
                    }

                    foreach (var change in batch)
                    {
                        resumeToken = change.ResumeToken;
                        if (change.OperationType == ChangeStreamOperationType.Delete && endOnDelete)
                        {
                            yield break;
                        }

                        if (change.OperationType == ChangeStreamOperationType.Invalidate)
                        {
                            // The collection was dropped or renamed: every container in it is gone.
                            yield break;
                        }

                        if (change.FullDocument is { } document)
                        {
                            lastDelivered = Max(lastDelivered, document[Fields.UpdatedAt].ToUniversalTime());
                            yield return document;
                        }
                    }

                    // Past the whole batch, the post-batch resume token is the newest point: it moves on while no
                    // change matches, so a watch idle for longer than the oplog holds still resumes within it.
                    resumeToken = cursor.GetResumeToken() ?? resumeToken;
                }
            }
        }

        // No change streams here: poll. The first poll only marks where changes start, as a change stream would.
        var since = DateTime.MinValue;
        var seenAtSince = new HashSet<BsonValue>();
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            List<BsonDocument> changed;
            try
            {
                changed = await poll(since).ConfigureAwait(false);
            }
            catch (ContainerGoneException)
            {
                yield break;
            }

            foreach (var document in changed)
            {
                var updatedAt = document[Fields.UpdatedAt].ToUniversalTime();
                var id = document[Fields.Id];
                if (updatedAt < since || (updatedAt == since && !seenAtSince.Add(id)))
                {
                    continue;
                }

                if (updatedAt > since)
                {
                    since = updatedAt;
                    seenAtSince.Clear();
                    seenAtSince.Add(id);
                }

                if (!first || includeCurrentState)
                {
                    yield return document;
                }
            }

            first = false;
            await Task.Delay(client.Options.WatchPollInterval, client.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<BsonDocument>> PollOneAsync(string name, DateTime since, CancellationToken cancellationToken)
    {
        var document = await client.Store.FindAsync(name, projection: null, cancellationToken).ConfigureAwait(false)
            ?? throw new ContainerGoneException();
        return document[Fields.UpdatedAt].ToUniversalTime() >= since ? [document] : [];
    }

    private Task<List<BsonDocument>> PollManyAsync(TaskContainerQuery query, DateTime since, CancellationToken cancellationToken)
    {
        var filter = ContainerCommands.QueryFilter(query, DateTime.MinValue, null);
        filter[Fields.UpdatedAt] = new BsonDocument("$gte", since);
        return client.Store.Collection.Find(filter)
            .Sort(new BsonDocument { { Fields.UpdatedAt, 1 }, { Fields.Id, 1 } })
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// An event too large to send cannot be resumed past (resuming meets it again): start from now, and re-read first
    /// what changed since the last state delivered.
    /// </summary>
    private (BsonDocument? ResumeToken, DateTime RereadSince) SkipLargeEvent(MongoCommandException error, DateTime lastDelivered)
    {
        Diagnostics.Log.WatchSkippedLargeEvent(client.Store.Logger, error.Message, lastDelivered);
        return (null, lastDelivered);
    }

    private Task DelayAfterFailureAsync(int failures, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxResumeDelay.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 10))));
        return Task.Delay(delay, client.TimeProvider, cancellationToken);
    }

    /// <summary>What the stream resumes after: a transient error, an expired server-side time limit, or a lost cursor.</summary>
    private static bool IsTransient(Exception ex) =>
        TransientErrors.IsTransient(ex) || ex is MongoExecutionTimeoutException or MongoCursorNotFoundException || ex is MongoCommandException { Code: CursorNotFound };

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private sealed class ContainerGoneException : Exception;
}
