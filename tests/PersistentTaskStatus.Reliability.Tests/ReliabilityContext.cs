using System.Collections.Concurrent;
using System.Diagnostics;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Reliability.Tests;

/// <summary>
/// What a reliability test needs: a database of its own, a client of its own whose commands carry an application name
/// (so that fail points can be scoped to it), a <see cref="TaskStatusClient"/> on it, and byte-level dumps of the
/// containers' collection.
/// </summary>
public sealed class ReliabilityContext : IDisposable
{
    public ReliabilityContext(MongoFixture fixture, Type testClass, Action<TaskStatusOptions>? configure = null, string? databaseName = null)
    {
        Fixture = fixture;
        AppName = "rel-" + Guid.NewGuid().ToString("N")[..10];
        var settings = fixture.CreateClientSettings();
        settings.ApplicationName = AppName;
        MongoClient = new MongoClient(settings);
        Database = MongoClient.GetDatabase(databaseName ?? MongoFixture.DatabaseNameFor(testClass));
        Options = new TaskStatusOptions();
        configure?.Invoke(Options);
        Client = new TaskStatusClient(Database, Options);
        Raw = Database.GetCollection<BsonDocument>(Options.CollectionName);
        RawBytes = Database.GetCollection<RawBsonDocument>(Options.CollectionName);
    }

    public MongoFixture Fixture { get; }

    public string AppName { get; }

    public MongoClient MongoClient { get; }

    public IMongoDatabase Database { get; }

    public TaskStatusOptions Options { get; }

    public TaskStatusClient Client { get; }

    public IMongoCollection<BsonDocument> Raw { get; }

    public IMongoCollection<RawBsonDocument> RawBytes { get; }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// Makes the client's first call (the version check, the indexes, the driver's first connections, the code's first
    /// run) ahead of a test that gives every call a short <see cref="TaskStatusOptions.OperationTimeout"/>: on a busy
    /// machine a cold first call can take longer than that, which is not what such a test is about.
    /// </summary>
    public async Task WarmUpAsync()
    {
        using (var untimed = new TaskStatusClient(Database, new TaskStatusOptions { CollectionName = Options.CollectionName }))
        {
            await untimed.EnsureIndexesAsync(Token);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Client.EnsureIndexesAsync(Token);
                return;
            }
            catch (TimeoutException) when (attempt < 20)
            {
                // Still cold: the next attempt finds more of the work done.
            }
        }
    }

    /// <summary>Another client on the same database, with its own connections (and the same application name).</summary>
    public TaskStatusClient NewClient(out MongoClient mongoClient, Action<TaskStatusOptions>? configure = null)
    {
        var settings = Fixture.CreateClientSettings();
        settings.ApplicationName = AppName;
        mongoClient = new MongoClient(settings);
        var options = new TaskStatusOptions { CollectionName = Options.CollectionName };
        configure?.Invoke(options);
        return new TaskStatusClient(mongoClient.GetDatabase(Database.DatabaseNamespace.DatabaseName), options);
    }

    /// <summary>Every document of the collection as MongoDB stores it (raw BSON bytes), in <c>_id</c> order.</summary>
    public async Task<byte[]> DumpAsync()
    {
        var documents = await RawBytes.Find(FilterDefinition<RawBsonDocument>.Empty).Sort(new BsonDocument("_id", 1)).ToListAsync(CancellationToken.None);
        using var stream = new MemoryStream();
        foreach (var document in documents)
        {
            var bytes = document.ToBson();
            stream.Write(bytes);
            document.Dispose();
        }

        return stream.ToArray();
    }

    /// <summary>The stored document of a container, or null.</summary>
    public async Task<BsonDocument?> StoredAsync(string containerName) =>
        await Raw.Find(new BsonDocument("name", containerName)).FirstOrDefaultAsync(CancellationToken.None);

    /// <summary>
    /// Sets a fail point through <c>configureFailPoint</c> on the shared client (so that it is never blocked by it);
    /// dispose the result to switch it off.
    /// </summary>
    public async Task<FailPoint> FailAsync(string name, BsonValue mode, BsonDocument data)
    {
        var command = new BsonDocument { { "configureFailPoint", name }, { "mode", mode }, { "data", data } };
        await Fixture.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(command, cancellationToken: CancellationToken.None);
        return new FailPoint(Fixture.Client, name);
    }

    /// <summary>A failCommand fail point on <paramref name="commands"/>, scoped to this context's application name.</summary>
    public Task<FailPoint> FailCommandAsync(BsonValue mode, BsonDocument data, params string[] commands)
    {
        var full = new BsonDocument { { "failCommands", new BsonArray(commands) }, { "appName", AppName } };
        full.Merge(data, overwriteExistingElements: true);
        return FailAsync("failCommand", mode, full);
    }

    public void Dispose()
    {
        Client.Dispose();
        MongoClient.Dispose();
    }
}

/// <summary>A fail point that is switched off on dispose (also when the test failed).</summary>
public sealed class FailPoint(IMongoClient client, string name) : IAsyncDisposable
{
    /// <summary>How many times the fail point triggered, as <c>configureFailPoint</c> reports when it is switched off.</summary>
    public async Task<int> OffAsync()
    {
        var reply = await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(
            new BsonDocument { { "configureFailPoint", name }, { "mode", "off" } },
            cancellationToken: CancellationToken.None);
        return reply.GetValue("count", 0).ToInt32();
    }

    public async ValueTask DisposeAsync() => await OffAsync();
}

/// <summary>
/// The figures the tests print (faults injected, crashes, bad inputs, operations checked), through the test output and
/// into <c>reliability-figures.txt</c> beside the test assembly, one <c>figure: value</c> line each.
/// </summary>
public static class Figures
{
    private static readonly ConcurrentDictionary<string, long> Totals = new();
    private static readonly Lock FileLock = new();

    public static void Add(string figure, long value)
    {
        var total = Totals.AddOrUpdate(figure, value, (_, current) => current + value);
        TestContext.Current.TestOutputHelper?.WriteLine($"FIGURE {figure}: +{value} (total {total})");
        lock (FileLock)
        {
            File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "reliability-figures.txt"), $"{DateTime.UtcNow:O}\t{figure}\t{value}{Environment.NewLine}");
        }
    }

    public static void Print(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>Measures how long an awaited call takes.</summary>
    public static async Task<(Exception? Error, TimeSpan Elapsed)> TimeAsync(Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await call();
            return (null, watch.Elapsed);
        }
        catch (Exception ex)
        {
            return (ex, watch.Elapsed);
        }
    }
}
