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

    /// <summary>Writes a line per command to standard error when true.</summary>
    public bool Verbose { get; init; }
}
