using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// https://www.mongodb.com/docs/manual/reference/command/find/
// https://www.mongodb.com/docs/manual/reference/command/getMore/
// https://www.mongodb.com/docs/manual/reference/command/killCursors/
public sealed class CursorCommandTests(MongoFixture fixture)
{
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(CursorCommandTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<string> SeedAsync(int count)
    {
        var name = "c_" + Guid.NewGuid().ToString("N");
        await database.GetCollection<BsonDocument>(name)
            .InsertManyAsync(Enumerable.Range(0, count).Select(i => new BsonDocument { { "_id", i }, { "v", i % 7 } }), cancellationToken: Token);
        return name;
    }

    [Fact]
    public async Task A_large_result_comes_in_batches_through_getMore_and_nothing_is_lost_or_repeated()
    {
        var name = await SeedAsync(250);

        var ids = await database.GetCollection<BsonDocument>(name)
            .Find(FilterDefinition<BsonDocument>.Empty, new FindOptions { BatchSize = 40 })
            .Project(Builders<BsonDocument>.Projection.Include("_id"))
            .ToListAsync(Token);

        Assert.Equal(Enumerable.Range(0, 250), ids.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task Find_returns_a_cursor_id_only_while_results_remain()
    {
        var name = await SeedAsync(5);

        var reply = await database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "find", name }, { "batchSize", 2 } }, cancellationToken: Token);
        var id = reply["cursor"]["id"].AsInt64;
        var more = await database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "getMore", id }, { "collection", name }, { "batchSize", 10 } }, cancellationToken: Token);

        Assert.Equal(2, reply["cursor"]["firstBatch"].AsBsonArray.Count);
        Assert.NotEqual(0, id);
        Assert.Equal($"{database.DatabaseNamespace.DatabaseName}.{name}", reply["cursor"]["ns"].AsString);
        Assert.Equal(3, more["cursor"]["nextBatch"].AsBsonArray.Count);
        Assert.Equal(0, more["cursor"]["id"].AsInt64);
    }

    [Fact]
    public async Task A_killed_cursor_is_gone()
    {
        var name = await SeedAsync(5);
        var reply = await database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "find", name }, { "batchSize", 1 } }, cancellationToken: Token);
        var id = reply["cursor"]["id"].AsInt64;

        var killed = await database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "killCursors", name }, { "cursors", new BsonArray { id } } }, cancellationToken: Token);
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "getMore", id }, { "collection", name } }, cancellationToken: Token));

        Assert.Equal(new BsonArray { id }, killed["cursorsKilled"]);
        Assert.Equal(43, error.Code);
        Assert.Equal("CursorNotFound", error.CodeName);
    }

    [Fact]
    public async Task Skip_limit_and_sort_select_the_expected_window()
    {
        var name = await SeedAsync(30);

        var page = await database.GetCollection<BsonDocument>(name)
            .Find(FilterDefinition<BsonDocument>.Empty)
            .Sort(Builders<BsonDocument>.Sort.Descending("_id"))
            .Skip(5)
            .Limit(3)
            .ToListAsync(Token);

        Assert.Equal([24, 23, 22], page.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task Count_and_distinct_see_the_matching_documents()
    {
        var name = await SeedAsync(30);
        var collection = database.GetCollection<BsonDocument>(name);

        var count = await collection.CountDocumentsAsync(Builders<BsonDocument>.Filter.Eq("v", 3), cancellationToken: Token);
        var legacyCount = await database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "count", name }, { "query", new BsonDocument("v", 3) } }, cancellationToken: Token);
        var distinct = await (await collection.DistinctAsync<int>("v", FilterDefinition<BsonDocument>.Empty, cancellationToken: Token)).ToListAsync(Token);

        Assert.Equal(4, count);
        Assert.Equal(4, legacyCount["n"].ToInt32());
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], distinct);
    }
}
