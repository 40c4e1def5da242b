using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// https://www.mongodb.com/docs/manual/core/index-ttl/: a document expires when the indexed field holds a date (or an
// array of dates: the earliest counts) older than expireAfterSeconds; a document whose field is not a date, or is
// missing, never expires. The TTL monitor deletes expired documents in the background.
public sealed class TtlTests(MongoFixture fixture) : IDisposable
{
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(TtlTests));

    // Documents left here would expire later, and the server's background monitor would delete them while other
    // tests run: a delete event in a client-wide change stream of a specification test, at a moment that depends on
    // how busy the machine is. So each test removes its database when it ends.
    public void Dispose() => fixture.Client.DropDatabase(database.DatabaseNamespace.DatabaseName);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static IEnumerable<BsonDocument> Mixed(DateTime now) =>
    [
        new BsonDocument { { "_id", "two-hours-old" }, { "at", now.AddHours(-2) } },
        new BsonDocument { { "_id", "future" }, { "at", now.AddHours(1) } },
        new BsonDocument { { "_id", "ten-minutes-old" }, { "at", now.AddMinutes(-10) } },
        new BsonDocument { { "_id", "string" }, { "at", "2000-01-01T00:00:00Z" } },
        new BsonDocument { { "_id", "number" }, { "at", 946684800000L } },
        new BsonDocument("_id", "missing"),
        new BsonDocument { { "_id", "array-earliest-old" }, { "at", new BsonArray { now.AddHours(1), now.AddHours(-2) } } },
        new BsonDocument { { "_id", "array-all-future" }, { "at", new BsonArray { now.AddHours(1), now.AddHours(2) } } },
    ];

    private static readonly string[] Kept = ["array-all-future", "future", "missing", "number", "string", "ten-minutes-old"];

    private async Task<IMongoCollection<BsonDocument>> TtlCollectionAsync(IMongoDatabase target)
    {
        var collection = target.GetCollection<BsonDocument>("ttl_" + Guid.NewGuid().ToString("N")[..12]);
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("at", 1), new CreateIndexOptions { ExpireAfter = TimeSpan.FromHours(1) }),
            cancellationToken: Token);
        return collection;
    }

    private static async Task<List<string>> IdsAsync(IMongoCollection<BsonDocument> collection) =>
        (await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token)).Select(d => d["_id"].AsString).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task A_sweep_removes_only_documents_whose_indexed_date_is_older_than_expireAfterSeconds()
    {
        var server = fixture.TestServer;
        if (server is null)
        {
            Assert.Skip("SweepExpiredDocuments is a switch of the in-process test server.");
        }

        var collection = await TtlCollectionAsync(database);
        await collection.InsertManyAsync(Mixed(DateTime.UtcNow), cancellationToken: Token);

        server.SweepExpiredDocuments();

        Assert.Equal(Kept, await IdsAsync(collection));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/delete/: a TTL deletion is a delete like any other.
    [Fact]
    public async Task Each_expired_document_removed_gives_a_delete_change_event()
    {
        var server = fixture.TestServer;
        if (server is null)
        {
            Assert.Skip("SweepExpiredDocuments is a switch of the in-process test server.");
        }

        var collection = await TtlCollectionAsync(database);
        await collection.InsertManyAsync(Mixed(DateTime.UtcNow), cancellationToken: Token);
        using var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(200) }, Token);

        server.SweepExpiredDocuments();
        var changes = await stream.ReadAsync(2, Token);
        var more = await stream.ReadAsync(1, Token, TimeSpan.FromSeconds(1));

        Assert.All(changes, c => Assert.Equal(ChangeStreamOperationType.Delete, c.OperationType));
        Assert.Equal(["array-earliest-old", "two-hours-old"], changes.Select(c => c.DocumentKey["_id"].AsString).Order(StringComparer.Ordinal));
        Assert.Empty(more);
    }

    [Fact]
    public async Task The_background_monitor_removes_expired_documents_by_itself()
    {
        if (fixture.TestServer is null)
        {
            Assert.Skip("The TTL monitor interval is an option of the in-process test server.");
        }

        await using var server = await MongoTestServer.StartAsync(new MongoTestServerOptions { TtlMonitorInterval = TimeSpan.FromMilliseconds(200) }, Token);
        using var client = new MongoClient(server.ConnectionString);
        var collection = await TtlCollectionAsync(client.GetDatabase("ttl"));
        await collection.InsertManyAsync(Mixed(DateTime.UtcNow), cancellationToken: Token);

        var deadline = DateTime.UtcNow.AddMinutes(1);
        var ids = await IdsAsync(collection);
        while (ids.Count > Kept.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Token);
            ids = await IdsAsync(collection);
        }

        Assert.Equal(Kept, ids);
    }

    // https://www.mongodb.com/docs/manual/core/index-ttl/#partial-ttl-indexes: only documents the partial filter
    // selects expire.
    [Fact]
    public async Task A_partial_TTL_index_expires_only_the_documents_its_filter_selects()
    {
        var server = fixture.TestServer;
        if (server is null)
        {
            Assert.Skip("SweepExpiredDocuments is a switch of the in-process test server.");
        }

        var collection = database.GetCollection<BsonDocument>("ttl_" + Guid.NewGuid().ToString("N")[..12]);
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(
                new BsonDocument("at", 1),
                new CreateIndexOptions<BsonDocument> { ExpireAfter = TimeSpan.Zero, PartialFilterExpression = new BsonDocument("temporary", true) }),
            cancellationToken: Token);
        var past = DateTime.UtcNow.AddMinutes(-1);
        await collection.InsertManyAsync(
        [
            new BsonDocument { { "_id", "temporary" }, { "at", past }, { "temporary", true } },
            new BsonDocument { { "_id", "kept" }, { "at", past }, { "temporary", false } },
        ], cancellationToken: Token);

        server.SweepExpiredDocuments();

        Assert.Equal(["kept"], await IdsAsync(collection));
    }

    // https://www.mongodb.com/docs/manual/core/index-ttl/ (a TTL index may be on a field of an embedded document)
    [Fact]
    public async Task A_TTL_index_on_an_embedded_field_expires_by_that_field()
    {
        var server = fixture.TestServer;
        if (server is null)
        {
            Assert.Skip("SweepExpiredDocuments is a switch of the in-process test server.");
        }

        var collection = database.GetCollection<BsonDocument>("ttl_" + Guid.NewGuid().ToString("N")[..12]);
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("meta.at", 1), new CreateIndexOptions { ExpireAfter = TimeSpan.FromSeconds(30) }),
            cancellationToken: Token);
        await collection.InsertManyAsync(
        [
            new BsonDocument { { "_id", "old" }, { "meta", new BsonDocument("at", DateTime.UtcNow.AddMinutes(-1)) } },
            new BsonDocument { { "_id", "new" }, { "meta", new BsonDocument("at", DateTime.UtcNow) } },
            new BsonDocument { { "_id", "top-level" }, { "at", DateTime.UtcNow.AddMinutes(-1) } },
        ], cancellationToken: Token);

        server.SweepExpiredDocuments();

        Assert.Equal(["new", "top-level"], await IdsAsync(collection));
    }

    // https://www.mongodb.com/docs/manual/core/index-ttl/#restrictions: compound indexes ignore expireAfterSeconds.
    [Fact]
    public async Task A_compound_index_with_expireAfterSeconds_expires_nothing()
    {
        var server = fixture.TestServer;
        if (server is null)
        {
            Assert.Skip("SweepExpiredDocuments is a switch of the in-process test server.");
        }

        var collection = database.GetCollection<BsonDocument>("ttl_" + Guid.NewGuid().ToString("N")[..12]);
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument { { "at", 1 }, { "k", 1 } }, new CreateIndexOptions { ExpireAfter = TimeSpan.Zero }),
            cancellationToken: Token);
        await collection.InsertOneAsync(new BsonDocument { { "_id", "old" }, { "at", DateTime.UtcNow.AddHours(-1) }, { "k", 1 } }, cancellationToken: Token);

        server.SweepExpiredDocuments();

        Assert.Equal(["old"], await IdsAsync(collection));
    }
}
