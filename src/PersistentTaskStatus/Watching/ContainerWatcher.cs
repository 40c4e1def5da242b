using System.Runtime.CompilerServices;
using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus.Watching;

/// <summary>
/// Streams the committed states of containers: through a change stream (<c>fullDocument: "updateLookup"</c>) that
/// resumes after its last event when an error passes, or, where the deployment offers no change streams (a
/// standalone server), by polling.
/// </summary>
internal sealed class ContainerWatcher(TaskStatusClient client)
{
    /// <summary>MongoDB's answer to $changeStream on a standalone server.</summary>
    private const int ChangeStreamsNotSupported = 40573;

    /// <summary>MongoDB's CursorNotFound.</summary>
    private const int CursorNotFound = 43;

    private static readonly TimeSpan MaxResumeDelay = TimeSpan.FromSeconds(5);

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
        var pipeline = new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>().Match(match);
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
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                await DelayAfterFailureAsync(++failures, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (cursor)
            {
                if (includeCurrentState)
                {
                    // Read after the stream is open: every change after this state comes through the stream.
                    includeCurrentState = false;
                    List<BsonDocument> current;
                    try
                    {
                        current = await poll(DateTime.MinValue).ConfigureAwait(false);
                    }
                    catch (ContainerGoneException)
                    {
                        yield break;
                    }

                    foreach (var document in current)
                    {
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
                    catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
                    {
                        Diagnostics.Log.WatchResuming(client.Store.Logger, ex.Message);

                        // Reopen after the last event delivered: nothing skipped, nothing repeated.
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
                            yield return document;
                        }
                    }
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
