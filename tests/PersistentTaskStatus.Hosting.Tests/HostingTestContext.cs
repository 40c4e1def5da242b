using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MongoDB.Driver.Core.Events;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Hosting.Tests;

/// <summary>
/// A database of its own for a test class, a client on it whose commands are recorded, and Generic Hosts that run
/// workers on the same database, each with its own <see cref="TaskStatusClient"/>, as separate processes would.
/// </summary>
public sealed class HostingTestContext : IAsyncDisposable
{
    private static readonly HashSet<string> Handshake = ["hello", "isMaster", "buildInfo", "endSessions", "ping", "saslStart", "saslContinue"];
    private readonly ConcurrentQueue<BsonDocument> commands = new();
    private readonly List<TestHost> hosts = [];

    public HostingTestContext(MongoFixture fixture, Type testClass, Action<TaskStatusOptions>? configure = null)
    {
        Fixture = fixture;
        var settings = fixture.CreateClientSettings();
        settings.ApplicationName = "hosting-tests-" + Guid.NewGuid().ToString("N")[..8];
        settings.ClusterConfigurator = builder => builder.Subscribe<CommandStartedEvent>(e =>
        {
            if (!Handshake.Contains(e.CommandName))
            {
                commands.Enqueue(e.Command.DeepClone().AsBsonDocument);
            }
        });
        ApplicationName = settings.ApplicationName;
        MongoClient = new MongoClient(settings);
        Database = MongoClient.GetDatabase(MongoFixture.DatabaseNameFor(testClass));
        Options = new TaskStatusOptions();
        configure?.Invoke(Options);
        Client = new TaskStatusClient(Database, Options);
        Raw = Database.GetCollection<BsonDocument>(Options.CollectionName);
    }

    public MongoFixture Fixture { get; }

    /// <summary>The application name of <see cref="MongoClient"/>, for fail points that should hit only its commands.</summary>
    public string ApplicationName { get; }

    public MongoClient MongoClient { get; }

    public IMongoDatabase Database { get; }

    public TaskStatusOptions Options { get; }

    public TaskStatusClient Client { get; }

    public IMongoCollection<BsonDocument> Raw { get; }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The commands <see cref="MongoClient"/> sent since the last <see cref="ClearCommands"/> (handshakes left out).</summary>
    public IReadOnlyList<BsonDocument> Commands => [.. commands];

    public void ClearCommands() => commands.Clear();

    /// <summary>
    /// Starts a Generic Host on this context's database, as another process would: its own MongoDB client and
    /// <see cref="TaskStatusClient"/> (registered through <c>AddPersistentTaskStatus</c> on an <see cref="IMongoClient"/>),
    /// the services <paramref name="configure"/> adds, and the given shutdown timeout.
    /// </summary>
    public async Task<TestHost> StartHostAsync(Action<IServiceCollection> configure, TimeSpan? shutdownTimeout = null, MongoClientSettings? settings = null)
    {
        var host = BuildHost(configure, shutdownTimeout, settings);
        await host.StartAsync(Token);
        var started = new TestHost(host);
        lock (hosts)
        {
            hosts.Add(started);
        }

        return started;
    }

    /// <summary>Builds a host without starting it.</summary>
    public IHost BuildHost(Action<IServiceCollection> configure, TimeSpan? shutdownTimeout = null, MongoClientSettings? settings = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        settings ??= Fixture.CreateClientSettings();
        builder.Services.AddSingleton<IMongoClient>(_ => new MongoClient(settings));
        builder.Services.AddPersistentTaskStatus(o =>
        {
            o.DatabaseName = Database.DatabaseNamespace.DatabaseName;
            o.CollectionName = Options.CollectionName;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(30));
        configure(builder.Services);
        return builder.Build();
    }

    /// <summary>Waits, checking every 20 ms, until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Token);
        limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        while (!await condition())
        {
            try
            {
                await Task.Delay(20, limit.Token);
            }
            catch (OperationCanceledException) when (!Token.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
        }
    }

    /// <summary>Waits until no container under the prefix is incomplete.</summary>
    public Task WaitUntilCompleteAsync(string prefix, TimeSpan? timeout = null) =>
        WaitUntilAsync(
            async () => (await Client.QueryTaskContainersAsync(new TaskContainerQuery { State = TaskContainerStates.Incomplete, NamePrefix = prefix }, Token)).Containers.Count == 0,
            $"every container under '{prefix}' is complete",
            timeout);

    /// <summary>The stored tasks of a container, read directly.</summary>
    public async Task<BsonArray> StoredTasksAsync(string containerName)
    {
        var document = await Raw.Find(new BsonDocument("name", containerName)).FirstOrDefaultAsync(Token);
        Assert.NotNull(document);
        return document["tasks"].AsBsonArray;
    }

    public async ValueTask DisposeAsync()
    {
        List<TestHost> started;
        lock (hosts)
        {
            started = [.. hosts];
        }

        foreach (var host in started)
        {
            await host.DisposeAsync();
        }

        Client.Dispose();
        MongoClient.Dispose();
    }
}

/// <summary>A started host; stopping it twice is stopping it once.</summary>
public sealed class TestHost(IHost host) : IAsyncDisposable
{
    private int stopped;

    public IHost Host { get; } = host;

    public IServiceProvider Services => Host.Services;

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 0)
        {
            await Host.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
    }
}
