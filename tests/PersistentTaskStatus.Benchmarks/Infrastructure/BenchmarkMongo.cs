using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using PersistentTaskStatus.Storage;
using PersistentTaskStatus.TestServer;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>
/// The MongoDB of one benchmark case: the one in <c>MONGODB_URI</c>, else an in-process test server started here,
/// inside the benchmark process. It hands out two clients on it: <see cref="Timed"/>, which the measured code uses
/// and which has no event subscribers (a command-event subscriber makes the driver build event documents on every
/// command, which would add to the measured time and allocations), and <see cref="Metered"/>, which counts the bytes
/// of every command and reply for the wire-size columns.
/// </summary>
internal sealed class BenchmarkMongo : IAsyncDisposable
{
    public const string DatabaseName = "pts_benchmarks";

    // One in-process server per benchmark process, started by the first GlobalSetup and left to the process's exit:
    // with the in-process toolchain every case runs in the same process, and a server started and stopped per case
    // left enough behind that each case took longer than the one before (2 s for the first, 40 s after twenty).
    private static readonly SemaphoreSlim EmbeddedLock = new(1, 1);
    private static MongoTestServer? embedded;

    private BenchmarkMongo(string connectionString)
    {
        Source = embedded is null ? "MONGODB_URI" : "in-process test server";
        Timed = new MongoClient(MongoClientSettings.FromConnectionString(connectionString));
        var metered = MongoClientSettings.FromConnectionString(connectionString);
        metered.ClusterConfigurator = builder => builder
            .Subscribe<CommandStartedEvent>(Meter.OnStarted)
            .Subscribe<CommandSucceededEvent>(Meter.OnSucceeded);
        Metered = new MongoClient(metered);
    }

    /// <summary>Where the server is, in words.</summary>
    public string Source { get; }

    public MongoClient Timed { get; }

    public MongoClient Metered { get; }

    public WireMeter Meter { get; } = new();

    /// <summary>The options every library client and every raw collection here runs with (the library's defaults).</summary>
    public static TaskStatusOptions Options { get; } = new();

    public static async Task<BenchmarkMongo> StartAsync()
    {
        var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
        if (string.IsNullOrWhiteSpace(uri))
        {
            await EmbeddedLock.WaitAsync().ConfigureAwait(false);
            try
            {
                embedded ??= await MongoTestServer.StartAsync().ConfigureAwait(false);
                uri = embedded.ConnectionString;
            }
            finally
            {
                EmbeddedLock.Release();
            }
        }

        var mongo = new BenchmarkMongo(uri);
        await mongo.Timed.DropDatabaseAsync(DatabaseName).ConfigureAwait(false);
        return mongo;
    }

    /// <summary>A library client and the raw collection it writes to (same collection, same write concern).</summary>
    public Side TimedSide() => Side.On(Timed);

    public Side MeteredSide() => Side.On(Metered);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Timed.DropDatabaseAsync(DatabaseName).ConfigureAwait(false);
        }
        finally
        {
            Timed.Dispose();
            Metered.Dispose();
        }
    }
}

/// <summary>The library's client and the raw driver's collection over the same <see cref="IMongoClient"/>.</summary>
internal sealed record Side(TaskStatusClient Library, IMongoCollection<BsonDocument> Raw)
{
    public static Side On(IMongoClient client)
    {
        var database = client.GetDatabase(BenchmarkMongo.DatabaseName);
        var options = BenchmarkMongo.Options;
        // Exactly what ContainerStore does to its collection.
        var raw = database.GetCollection<BsonDocument>(options.CollectionName).WithWriteConcern(options.WriteConcern);
        return new Side(new TaskStatusClient(database, options), raw);
    }
}
