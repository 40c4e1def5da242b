using System.Collections.Concurrent;
using MongoDB.Driver.Core.Events;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests;

/// <summary>
/// What a library test needs: a database of its own, a client whose commands are recorded (name, request and reply
/// sizes), a <see cref="TaskStatusClient"/> on it, and the raw collection to check what the database holds.
/// </summary>
public sealed class LibraryTestContext : IDisposable
{
    private readonly ConcurrentQueue<RecordedCommand> commands = new();
    private readonly ConcurrentDictionary<int, RecordedCommand> pending = new();

    public LibraryTestContext(MongoFixture fixture, Type testClass, Action<TaskStatusOptions>? configure = null)
    {
        var settings = fixture.CreateClientSettings();
        settings.ClusterConfigurator = builder => builder
            .Subscribe<CommandStartedEvent>(e =>
            {
                if (e.CommandName is not ("hello" or "isMaster" or "buildInfo" or "endSessions"))
                {
                    pending[e.RequestId] = new RecordedCommand(e.CommandName, e.Command.DeepClone().AsBsonDocument, e.Command.ToBson().Length);
                }
            })
            .Subscribe<CommandSucceededEvent>(e =>
            {
                if (pending.TryRemove(e.RequestId, out var started))
                {
                    var reply = e.Reply.ToBson();
                    commands.Enqueue(started with { Reply = MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonDocument>(reply), ReplyBytes = reply.Length });
                }
            })
            .Subscribe<CommandFailedEvent>(e =>
            {
                if (pending.TryRemove(e.RequestId, out var started))
                {
                    commands.Enqueue(started with { Failed = true });
                }
            });
        MongoClient = new MongoClient(settings);
        Database = MongoClient.GetDatabase(MongoFixture.DatabaseNameFor(testClass));
        Options = new TaskStatusOptions();
        configure?.Invoke(Options);
        Client = new TaskStatusClient(Database, Options);
        Raw = Database.GetCollection<BsonDocument>(Options.CollectionName);
    }

    public MongoClient MongoClient { get; }

    public IMongoDatabase Database { get; }

    public TaskStatusOptions Options { get; }

    public TaskStatusClient Client { get; }

    /// <summary>The containers' collection, read directly to check what the database holds.</summary>
    public IMongoCollection<BsonDocument> Raw { get; }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The commands sent since the last <see cref="ClearCommands"/>, in completion order.</summary>
    public IReadOnlyList<RecordedCommand> Commands => [.. commands];

    public void ClearCommands() => commands.Clear();

    /// <summary>The stored document of a container, or null.</summary>
    public async Task<BsonDocument?> StoredAsync(string containerName) =>
        await Raw.Find(new BsonDocument("name", containerName)).FirstOrDefaultAsync(Token);

    /// <summary>Every document of the collection, sorted by name, as extended JSON: a dump to compare before and after.</summary>
    public async Task<string> DumpAsync()
    {
        var documents = await Raw.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("name", 1)).ToListAsync(Token);
        return new BsonArray(documents).ToJson();
    }

    public void Dispose()
    {
        Client.Dispose();
        MongoClient.Dispose();
    }
}

/// <summary>One command the client sent, with the sizes of the request and the reply in bytes.</summary>
public sealed record RecordedCommand(string Name, BsonDocument Command, int RequestBytes)
{
    public BsonDocument? Reply { get; init; }

    public int ReplyBytes { get; init; }

    public bool Failed { get; init; }
}
