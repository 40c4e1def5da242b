namespace PersistentTaskStatus.TestServer;

/// <summary>Settings of a <see cref="MongoTestServer"/>.</summary>
public sealed class MongoTestServerOptions
{
    /// <summary>The port to listen on; 0 (the default) picks a free ephemeral port.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Presents the server as a standalone mongod instead of a replica-set primary: no replica set in <c>hello</c>,
    /// so no retryable writes, and no change streams (MongoDB answers <c>$changeStream</c> with error 40573).
    /// </summary>
    public bool Standalone { get; init; }

    /// <summary>The replica set name reported by <c>hello</c>.</summary>
    public string ReplicaSetName { get; init; } = "rs0";

    /// <summary>
    /// How often the TTL monitor removes expired documents; MongoDB's default (<c>ttlMonitorSleepSecs</c>) is 60 s.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the background sweep off (tests then call
    /// <see cref="MongoTestServer.SweepExpiredDocuments"/>).
    /// </summary>
    public TimeSpan TtlMonitorInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The server's clock: what <c>$$NOW</c>, <c>hello</c>'s <c>localTime</c>, change events' <c>wallTime</c> and
    /// cluster times read, and what the TTL monitor judges expiry by and sweeps on. A test that moves it (a
    /// <c>FakeTimeProvider</c>, or the clock of <c>TaskStatusTestEnvironment</c>) moves all of these; real waiting
    /// (an awaiting <c>getMore</c>'s <c>maxAwaitTimeMS</c>, a fail point's <c>blockTimeMS</c>) stays real time.
    /// </summary>
    /// <value><see cref="TimeProvider.System"/> by default.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The MongoDB release the server presents, <c>major.minor.patch</c> from 4.4 to 8.0 (default <c>7.0.0</c>): the
    /// <c>maxWireVersion</c> of <c>hello</c>, <c>version</c> and <c>versionArray</c> of <c>buildInfo</c>, the
    /// expression operators, stages and accumulators that release knows, and the featureCompatibilityVersion the
    /// server starts with (its <c>major.minor</c>; <c>setFeatureCompatibilityVersion</c> changes it as on MongoDB).
    /// </summary>
    public string ServerVersion { get; init; } = "7.0.0";

    /// <summary>
    /// How many bytes of documents the change log keeps, like the oplog's size (default 256 MiB): a change stream
    /// resuming from a point that has left the log gets ChangeStreamHistoryLost (286). Tests of long idle watches set
    /// it small.
    /// </summary>
    public long ChangeLogMaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Writes a line per command to standard error when true.</summary>
    public bool Verbose { get; init; }
}
