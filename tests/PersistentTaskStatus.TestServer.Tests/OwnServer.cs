using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests;

/// <summary>A test server of its own (a release to present, a change log budget) and a client on it.</summary>
internal sealed class OwnServer : IAsyncDisposable
{
    private readonly MongoTestServer server;

    private OwnServer(MongoTestServer server)
    {
        this.server = server;
        Client = new MongoClient(server.ConnectionString);
        Database = Client.GetDatabase("test");
    }

    public MongoClient Client { get; }

    public IMongoDatabase Database { get; }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<OwnServer> StartAsync(MongoTestServerOptions options) =>
        new(await MongoTestServer.StartAsync(options, Token));

    public static Task<OwnServer> StartAsync(string version) => StartAsync(new MongoTestServerOptions { ServerVersion = version });

    /// <summary>A server presenting <paramref name="version"/> set to featureCompatibilityVersion <paramref name="featureCompatibility"/>.</summary>
    public static async Task<OwnServer> StartAsync(string version, string featureCompatibility)
    {
        var presented = await StartAsync(version);
        await presented.AdminAsync($"{{ setFeatureCompatibilityVersion: '{featureCompatibility}' }}");
        return presented;
    }

    public Task<BsonDocument> RunAsync(string command) => RunAsync(BsonDocument.Parse(command));

    public Task<BsonDocument> RunAsync(BsonDocument command) => Database.RunCommandAsync<BsonDocument>(command, cancellationToken: Token);

    public Task<BsonDocument> AdminAsync(string command) =>
        Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(BsonDocument.Parse(command), cancellationToken: Token);

    /// <summary>Collection <c>c</c> holding <paramref name="documents"/>.</summary>
    public async Task<IMongoCollection<BsonDocument>> CollectionAsync(params BsonDocument[] documents)
    {
        var collection = Database.GetCollection<BsonDocument>("c");
        if (documents.Length > 0)
        {
            await collection.InsertManyAsync(documents, cancellationToken: Token);
        }

        return collection;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await server.DisposeAsync();
    }
}
