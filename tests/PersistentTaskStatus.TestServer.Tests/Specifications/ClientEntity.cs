using MongoDB.Driver;
using MongoDB.Driver.Core.Events;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// A client entity: its MongoClient and the command events it observed (<c>observeEvents</c>), minus the commands the
/// spec says to ignore (<c>configureFailPoint</c>, sensitive commands, <c>ignoreCommandMonitoringEvents</c>).
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#entity_client
/// </summary>
internal sealed class ClientEntity : IDisposable
{
    // The Command Logging and Monitoring spec's sensitive commands, plus the handshake the driver runs on its own.
    private static readonly HashSet<string> SensitiveCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "authenticate", "saslStart", "saslContinue", "getnonce", "createUser", "updateUser", "copydbgetnonce",
        "copydbsaslstart", "copydb", "hello", "isMaster",
    };

    private readonly List<BsonDocument> events = [];
    private readonly Lock gate = new();
    private readonly HashSet<string> observed;
    private readonly HashSet<string> ignored;

    public ClientEntity(MongoClientSettings settings, IEnumerable<string> observeEvents, IEnumerable<string> ignoreCommands)
    {
        observed = new HashSet<string>(observeEvents, StringComparer.Ordinal);
        ignored = new HashSet<string>(ignoreCommands, StringComparer.Ordinal) { "configureFailPoint" };
        if (observed.Count > 0)
        {
            settings.ClusterConfigurator = builder => builder
                .Subscribe<CommandStartedEvent>(e => Record("commandStartedEvent", e.CommandName, Started(e)))
                .Subscribe<CommandSucceededEvent>(e => Record("commandSucceededEvent", e.CommandName, Succeeded(e)))
                .Subscribe<CommandFailedEvent>(e => Record("commandFailedEvent", e.CommandName, Failed(e)));
        }

        Client = new MongoClient(settings);
    }

    public MongoClient Client { get; }

    /// <summary>Events observed so far, each as <c>{ eventType: { ... } }</c>.</summary>
    public IReadOnlyList<BsonDocument> Events
    {
        get
        {
            lock (gate)
            {
                return [.. events];
            }
        }
    }

    public void Dispose() => Client.Dispose();

    private void Record(string eventType, string commandName, BsonDocument body)
    {
        if (!observed.Contains(eventType) || ignored.Contains(commandName) || SensitiveCommands.Contains(commandName))
        {
            return;
        }

        lock (gate)
        {
            events.Add(new BsonDocument(eventType, body));
        }
    }

    // The event's command document belongs to the driver's buffers; copy it before the driver reuses them.
    private static BsonDocument Started(CommandStartedEvent e) => new()
    {
        { "command", Materialize(e.Command) },
        { "commandName", e.CommandName },
        { "databaseName", e.DatabaseNamespace.DatabaseName },
    };

    private static BsonDocument Succeeded(CommandSucceededEvent e) => new()
    {
        { "reply", Materialize(e.Reply) },
        { "commandName", e.CommandName },
        { "databaseName", e.DatabaseNamespace.DatabaseName },
    };

    private static BsonDocument Failed(CommandFailedEvent e) => new()
    {
        { "commandName", e.CommandName },
        { "databaseName", e.DatabaseNamespace.DatabaseName },
    };

    private static BsonDocument Materialize(BsonDocument document) =>
        MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonDocument>(document.ToBson());
}
