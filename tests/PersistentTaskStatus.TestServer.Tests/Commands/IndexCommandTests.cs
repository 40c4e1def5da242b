using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// https://www.mongodb.com/docs/manual/reference/command/createIndexes/
// https://www.mongodb.com/docs/manual/core/index-unique/
// https://www.mongodb.com/docs/manual/core/index-partial/
public sealed class IndexCommandTests(MongoFixture fixture)
{
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(IndexCommandTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_unique_index_rejects_a_second_document_with_the_same_key_and_reports_key_pattern_and_value()
    {
        var collection = database.GetCollection<BsonDocument>("unique_" + Guid.NewGuid().ToString("N"));
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("name", 1), new CreateIndexOptions { Unique = true, Name = "name_unique" }),
            cancellationToken: Token);
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "name", "a" } }, cancellationToken: Token);

        var error = await Assert.ThrowsAsync<MongoWriteException>(() =>
            collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "name", "a" } }, cancellationToken: Token));

        Assert.Equal(ServerErrorCategory.DuplicateKey, error.WriteError.Category);
        Assert.Equal(11000, error.WriteError.Code);
        Assert.Contains("dup key", error.WriteError.Message, StringComparison.Ordinal);
        Assert.Contains("name_unique", error.WriteError.Message, StringComparison.Ordinal);
        var stored = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);
        Assert.Equal([new BsonDocument { { "_id", 1 }, { "name", "a" } }], stored);
    }

    [Fact]
    public async Task The_duplicate_key_command_error_carries_keyPattern_and_keyValue()
    {
        var name = "dup_" + Guid.NewGuid().ToString("N");
        await database.RunCommandAsync<BsonDocument>(new BsonDocument { { "insert", name }, { "documents", new BsonArray { new BsonDocument("_id", 7) } } }, cancellationToken: Token);

        var reply = await database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "insert", name }, { "documents", new BsonArray { new BsonDocument("_id", 7) } } },
            cancellationToken: Token);

        var writeError = reply["writeErrors"].AsBsonArray.Single().AsBsonDocument;
        Assert.Equal(0, writeError["index"].AsInt32);
        Assert.Equal(11000, writeError["code"].AsInt32);
        Assert.Equal(new BsonDocument("_id", 1), writeError["keyPattern"]);
        Assert.Equal(new BsonDocument("_id", 7), writeError["keyValue"]);
        Assert.Equal(0, reply["n"].ToInt32());
    }

    [Fact]
    public async Task Creating_the_same_index_twice_is_harmless_and_says_so()
    {
        var collection = database.GetCollection<BsonDocument>("twice_" + Guid.NewGuid().ToString("N"));
        var model = new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("a").Descending("b"));

        await collection.Indexes.CreateOneAsync(model, cancellationToken: Token);
        var reply = await database.RunCommandAsync<BsonDocument>(
            new BsonDocument
            {
                { "createIndexes", collection.CollectionNamespace.CollectionName },
                { "indexes", new BsonArray { new BsonDocument { { "key", new BsonDocument { { "a", 1 }, { "b", -1 } } }, { "name", "a_1_b_-1" } } } },
            },
            cancellationToken: Token);

        Assert.Equal(2, reply["numIndexesBefore"].AsInt32);
        Assert.Equal(2, reply["numIndexesAfter"].AsInt32);
        Assert.Equal("all indexes already exist", reply["note"].AsString);
        var names = (await collection.Indexes.ListAsync(Token).ConfigureAwait(true)).ToList(Token).Select(i => i["name"].AsString);
        Assert.Equal(["_id_", "a_1_b_-1"], names);
    }

    [Fact]
    public async Task An_index_name_reused_for_another_key_is_an_IndexKeySpecsConflict()
    {
        var collection = database.GetCollection<BsonDocument>("conflict_" + Guid.NewGuid().ToString("N"));
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("a", 1), new CreateIndexOptions { Name = "x" }), cancellationToken: Token);

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("b", 1), new CreateIndexOptions { Name = "x" }), cancellationToken: Token));

        Assert.Equal(86, error.Code);
        Assert.Equal("IndexKeySpecsConflict", error.CodeName);
    }

    [Fact]
    public async Task A_partial_unique_index_only_constrains_documents_that_match_its_filter()
    {
        var collection = database.GetCollection<BsonDocument>("partial_" + Guid.NewGuid().ToString("N"));
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(
                new BsonDocument("owner", 1),
                new CreateIndexOptions<BsonDocument> { Unique = true, PartialFilterExpression = new BsonDocument("active", true) }),
            cancellationToken: Token);

        await collection.InsertOneAsync(new BsonDocument { { "owner", "w1" }, { "active", false } }, cancellationToken: Token);
        await collection.InsertOneAsync(new BsonDocument { { "owner", "w1" }, { "active", false } }, cancellationToken: Token);
        await collection.InsertOneAsync(new BsonDocument { { "owner", "w1" }, { "active", true } }, cancellationToken: Token);
        await Assert.ThrowsAsync<MongoWriteException>(() =>
            collection.InsertOneAsync(new BsonDocument { { "owner", "w1" }, { "active", true } }, cancellationToken: Token));

        Assert.Equal(3, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
    }

    [Fact]
    public async Task A_unique_index_cannot_be_built_over_documents_that_break_it()
    {
        var collection = database.GetCollection<BsonDocument>("build_" + Guid.NewGuid().ToString("N"));
        await collection.InsertManyAsync([new BsonDocument("k", 1), new BsonDocument("k", 1)], cancellationToken: Token);

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("k", 1), new CreateIndexOptions { Unique = true }), cancellationToken: Token));

        Assert.Equal(11000, error.Code);
        var indexes = (await collection.Indexes.ListAsync(Token)).ToList(Token);
        Assert.Single(indexes);
    }

    [Fact]
    public async Task Dropping_an_index_removes_it_and_the_id_index_cannot_be_dropped()
    {
        var collection = database.GetCollection<BsonDocument>("dropidx_" + Guid.NewGuid().ToString("N"));
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("a", 1)), cancellationToken: Token);

        await collection.Indexes.DropOneAsync("a_1", Token);
        var idError = await Assert.ThrowsAsync<MongoCommandException>(() => collection.Indexes.DropOneAsync("_id_", Token));
        var missingError = await Assert.ThrowsAsync<MongoCommandException>(() => collection.Indexes.DropOneAsync("nope", Token));

        Assert.Equal(72, idError.Code);
        Assert.Equal(27, missingError.Code);
        Assert.Equal(["_id_"], (await collection.Indexes.ListAsync(Token)).ToList(Token).Select(i => i["name"].AsString));
    }

    [Fact]
    public async Task A_TTL_index_keeps_its_expireAfterSeconds()
    {
        var collection = database.GetCollection<BsonDocument>("ttl_" + Guid.NewGuid().ToString("N"));
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("expiresAt", 1), new CreateIndexOptions { ExpireAfter = TimeSpan.Zero }),
            cancellationToken: Token);

        var ttl = (await collection.Indexes.ListAsync(Token)).ToList(Token).Single(i => i["name"] == "expiresAt_1");

        Assert.Equal(0, ttl["expireAfterSeconds"].ToInt64());
    }
}
