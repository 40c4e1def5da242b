namespace PersistentTaskStatus.TestServer;

/// <summary>Settings of a <see cref="MongoTestServer"/>.</summary>
public sealed class MongoTestServerOptions
{
    /// <summary>The port to listen on; 0 (the default) picks a free ephemeral port.</summary>
    public int Port { get; init; }

    /// <summary>The replica set name reported by <c>hello</c>.</summary>
    public string ReplicaSetName { get; init; } = "rs0";

    /// <summary>Writes a line per command to standard error when true.</summary>
    public bool Verbose { get; init; }
}
