using PersistentTaskStatus.TestServer.Engine.Versions;
using PersistentTaskStatus.TestServer.Storage;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>Everything one server instance holds: its storage and the dispatcher that runs commands on it.</summary>
internal sealed class ServerState : IDisposable
{
    public ServerState(MongoTestServerOptions options, string hostAndPort)
    {
        Options = options;
        HostAndPort = hostAndPort;
        Version = ServerVersion.Parse(options.ServerVersion);
        FeatureCompatibilityVersion = Version.FeatureCompatibilityVersion;
        Storage = new StorageEngine(options.TimeProvider, options.ChangeLogMaxBytes);
        Dispatcher = new CommandDispatcher(this);
        Ttl = new TtlMonitor(Storage, options.TtlMonitorInterval, options.TimeProvider);
    }

    public MongoTestServerOptions Options { get; }

    /// <summary>The server's "now": <c>$$NOW</c>, <c>localTime</c>, change events' <c>wallTime</c>, TTL expiry.</summary>
    public DateTime Now => Options.TimeProvider.GetUtcNow().UtcDateTime;

    public string HostAndPort { get; }

    /// <summary>The release the server presents.</summary>
    public ServerVersion Version { get; }

    /// <summary>The featureCompatibilityVersion (<c>major.minor</c>), changed by <c>setFeatureCompatibilityVersion</c>.</summary>
    public string FeatureCompatibilityVersion { get; set; }

    public StorageEngine Storage { get; }

    public CommandDispatcher Dispatcher { get; }

    public TtlMonitor Ttl { get; }

    public void ConnectionClosed(ConnectionContext connection) => Dispatcher.ConnectionClosed(connection);

    public void Dispose() => Ttl.Dispose();
}
