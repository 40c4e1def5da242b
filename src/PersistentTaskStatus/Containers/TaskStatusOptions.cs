using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Driver;

namespace PersistentTaskStatus;

/// <summary>Settings of a <see cref="TaskStatusClient"/>.</summary>
public sealed class TaskStatusOptions
{
    /// <summary>The default of <see cref="CollectionName"/>.</summary>
    public const string DefaultCollectionName = "taskContainers";

    /// <summary>
    /// The MongoDB connection string, used when no <see cref="IMongoClient"/> or <see cref="IMongoDatabase"/> is given.
    /// </summary>
    /// <value>Null by default.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The database that holds the containers. When null, the database named in <see cref="ConnectionString"/> is used.
    /// </summary>
    /// <value>Null by default.</value>
    public string? DatabaseName { get; set; }

    /// <summary>The collection that holds one document per container.</summary>
    /// <value><c>taskContainers</c> by default.</value>
    public string CollectionName { get; set; } = DefaultCollectionName;

    /// <summary>
    /// The write concern of every change. "Persisted" means acknowledged by a majority, so that it survives a
    /// primary failover.
    /// </summary>
    /// <value><see cref="WriteConcern.WMajority"/> by default.</value>
    public WriteConcern WriteConcern { get; set; } = WriteConcern.WMajority;

    /// <summary>
    /// The clock the client reads for its own timing (lease renewal, polling, progress coalescing). Lease expiry and
    /// retry times are judged by the database clock, never by this one.
    /// </summary>
    /// <value><see cref="TimeProvider.System"/> by default.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The longest wait between attempts: the exponential back-off (<see cref="TaskOptions.RetryDelay"/> × 2^(attempt−1))
    /// never exceeds it.
    /// </summary>
    /// <value>One hour by default.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether a lease renews itself in the background while it is held, every third of its duration, until it is
    /// completed, failed, released, lost or disposed.
    /// </summary>
    /// <value>True by default.</value>
    public bool RenewLeases { get; set; } = true;

    /// <summary>
    /// How long a container is kept after all its tasks completed successfully; null keeps it forever. Enforced by a
    /// TTL index on an expiry time set in the same write that completes the container (MongoDB removes expired
    /// documents within about a minute of their expiry).
    /// </summary>
    /// <value>Null (keep forever) by default.</value>
    public TimeSpan? CompletedRetention { get; set; }

    /// <summary>How long a container is kept after it finished with a failed task; null keeps it forever.</summary>
    /// <value>Null (keep forever) by default.</value>
    public TimeSpan? FailedRetention { get; set; }

    /// <summary>
    /// How long a running task may go without its percentage changing before it is reported as stalled: alive (its
    /// lease is renewed) but not progressing, which lease expiry cannot see.
    /// </summary>
    /// <value>Ten minutes by default.</value>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often a watch polls when the deployment offers no change streams (a standalone server). Polling sees the
    /// state at each poll, so changes between two polls are seen together.
    /// </summary>
    /// <value>One second by default.</value>
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where the client logs (category <c>PersistentTaskStatus</c>). Connection strings are never logged.</summary>
    /// <value><see cref="NullLoggerFactory.Instance"/> (no logging) by default; with dependency injection, the registered factory.</value>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// How long one operation (one round trip, retries by the driver included, and for a client's first operation the
    /// creation of the indexes with its retries) may take before it fails with a <see cref="TimeoutException"/>;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits as long as the driver does (and retries index creation until the
    /// caller's token fires).
    /// </summary>
    /// <value>30 seconds by default.</value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the client creates its indexes (idempotently, once) before its first command, within that command's
    /// <see cref="OperationTimeout"/>: transient errors are retried with back-off until then (see
    /// <see cref="TaskStatusClient.EnsureIndexesAsync"/>).
    /// </summary>
    /// <value>True by default.</value>
    public bool CreateIndexes { get; set; } = true;

    /// <summary>Throws when a setting is missing or invalid, naming it.</summary>
    internal void Validate(bool requireConnection)
    {
        if (string.IsNullOrWhiteSpace(CollectionName))
        {
            throw new ArgumentException("TaskStatusOptions.CollectionName is required.", "options");
        }

        if (WriteConcern is null)
        {
            throw new ArgumentException("TaskStatusOptions.WriteConcern is required.", "options");
        }

        if (CompletedRetention < TimeSpan.Zero || FailedRetention < TimeSpan.Zero)
        {
            throw new ArgumentException("TaskStatusOptions.CompletedRetention and FailedRetention cannot be negative.", "options");
        }

        if (OperationTimeout <= TimeSpan.Zero && OperationTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("TaskStatusOptions.OperationTimeout must be more than zero, or Timeout.InfiniteTimeSpan.", "options");
        }

        if (StallAfter <= TimeSpan.Zero || WatchPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("TaskStatusOptions.StallAfter and WatchPollInterval must be more than zero.", "options");
        }

        if (MaxRetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("TaskStatusOptions.MaxRetryDelay cannot be negative.", "options");
        }

        if (LoggerFactory is null)
        {
            throw new ArgumentException("TaskStatusOptions.LoggerFactory is required.", "options");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("TaskStatusOptions.TimeProvider is required.", "options");
        }

        if (!requireConnection)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("TaskStatusOptions.ConnectionString is required when no IMongoClient or IMongoDatabase is given.", "options");
        }

        MongoUrl url;
        try
        {
            url = MongoUrl.Create(ConnectionString);
        }
        catch (MongoConfigurationException)
        {
            // The driver's message may quote the connection string, credentials included: never pass it on.
            throw new ArgumentException("TaskStatusOptions.ConnectionString is not a valid MongoDB connection string.", "options");
        }

        try
        {
            MongoClientSettings.FromUrl(url);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or MongoConfigurationException or FormatException)
        {
            // Only the kind of problem: the driver's message may quote the connection string.
            throw new ArgumentException($"TaskStatusOptions.ConnectionString is not usable ({ex.GetType().Name}): check its options, such as authMechanism.", "options");
        }

        if (string.IsNullOrWhiteSpace(DatabaseName ?? url.DatabaseName))
        {
            throw new ArgumentException("TaskStatusOptions.DatabaseName is required when the connection string names no database.", "options");
        }
    }
}
