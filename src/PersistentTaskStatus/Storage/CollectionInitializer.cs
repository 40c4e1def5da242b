using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.Diagnostics;

namespace PersistentTaskStatus.Storage;

/// <summary>
/// Prepares the containers' collection once per client, before its first command: checks that the deployment is
/// recent enough (<see cref="ServerRequirement"/>), then creates the indexes (unless
/// <see cref="TaskStatusOptions.CreateIndexes"/> is off). Both run once, under the same lock and the same deadline.
/// </summary>
/// <remarks>
/// Neither <c>buildInfo</c> nor <c>createIndexes</c> is retried by the driver (a command, and a write that is not
/// retryable): it does not send them again after a dropped connection. So a transient error (see <see cref="TransientErrors"/>) is retried here, with exponential back-off, until the
/// caller's token fires (the first operation's <see cref="TaskStatusOptions.OperationTimeout"/>, which the caller
/// turns into a <see cref="TimeoutException"/>); any other error surfaces as MongoDB gave it. Concurrent first calls
/// wait for the one that prepares; after a failure, the next call tries again.
/// </remarks>
internal sealed class CollectionInitializer(IMongoCollection<BsonDocument> collection, ServerRequirement requirement, bool createIndexes, TimeProvider timeProvider, ILogger logger)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile bool ready;

    /// <summary>
    /// The indexes, each named for what it serves: the unique name (exact and prefix look-ups), newest first and
    /// changed since, complete/incomplete and failed, stalled tasks, and the retention TTL.
    /// </summary>
    public static IReadOnlyList<CreateIndexModel<BsonDocument>> IndexModels { get; } =
    [
        new(new BsonDocument(Fields.Name, 1), new CreateIndexOptions { Name = "name_unique", Unique = true }),
        new(new BsonDocument { { Fields.UpdatedAt, -1 }, { Fields.Id, -1 } }, new CreateIndexOptions { Name = "updatedAt_newest_first" }),
        new(new BsonDocument { { Fields.IsComplete, 1 }, { Fields.UpdatedAt, -1 }, { Fields.Id, -1 } }, new CreateIndexOptions { Name = "isComplete_updatedAt" }),
        new(new BsonDocument { { Fields.HasFailed, 1 }, { Fields.UpdatedAt, -1 }, { Fields.Id, -1 } }, new CreateIndexOptions { Name = "hasFailed_updatedAt" }),
        new(
            new BsonDocument { { $"{Fields.Tasks}.{Fields.Status}", 1 }, { $"{Fields.Tasks}.{Fields.ProgressChangedAt}", 1 } },
            new CreateIndexOptions { Name = "tasks_status_progressChangedAt" }),
        new(new BsonDocument(Fields.ExpiresAt, 1), new CreateIndexOptions { Name = "expiresAt_ttl", ExpireAfter = TimeSpan.Zero }),
    ];

    /// <summary>Whether the collection is prepared (or needs nothing), so that a call can skip the lock.</summary>
    public bool IsReady => ready;

    /// <summary>Prepares the collection unless this client already did.</summary>
    /// <param name="cancellationToken">The caller's deadline: retries stop, and the wait for another caller ends, when it fires.</param>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (ready)
        {
            return;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!ready)
            {
                await RetryTransientAsync(requirement.EnsureSupportedAsync, cancellationToken).ConfigureAwait(false);
                if (createIndexes)
                {
                    await RetryTransientAsync(token => collection.Indexes.CreateManyAsync(IndexModels, token), cancellationToken).ConfigureAwait(false);
                }

                ready = true;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs an idempotent step, retrying transient errors until <paramref name="cancellationToken"/> fires.</summary>
    private async Task RetryTransientAsync(Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step(cancellationToken).ConfigureAwait(false);
                return;
            }
            // Not a server-selection timeout (the driver's TimeoutException): the driver already waited its whole
            // serverSelectionTimeout for a server, and its message names why none answered.
            catch (Exception ex) when (TransientErrors.IsTransient(ex) && ex is not TimeoutException)
            {
                // Past the deadline, the caller reports a timeout (with this error inside), not the last transient error.
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException($"Preparing the collection was cancelled after {attempt} attempt(s); the last failed: {ex.Message}", ex, cancellationToken);
                }

                var delay = RetryDelay(attempt);
                Log.IndexCreationRetrying(logger, attempt, delay.TotalMilliseconds, ex.Message, ex);
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Exponential back-off with jitter: between half and all of 50 ms × 2^(attempt−1), at most 2 s.</summary>
    private static TimeSpan RetryDelay(int attempt)
    {
        var ceiling = Math.Min(MaxRetryDelay.TotalMilliseconds, FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
    }
}
