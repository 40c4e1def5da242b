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

    /// <summary>Writes a line per command to standard error when true.</summary>
    public bool Verbose { get; init; }
}
