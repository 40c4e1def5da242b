using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// https://www.mongodb.com/docs/manual/reference/command/create/
// https://www.mongodb.com/docs/manual/reference/command/drop/ ("Starting in MongoDB 7.0, the drop command ... returns ok: 1 for a non-existent collection")
// https://www.mongodb.com/docs/manual/reference/command/listCollections/
public sealed class CatalogCommandTests(MongoFixture fixture)
{
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(CatalogCommandTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Creating_an_existing_collection_is_a_NamespaceExists_error()
    {
        var name = "c_" + Guid.NewGuid().ToString("N");
        await database.CreateCollectionAsync(name, cancellationToken: Token);

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => database.CreateCollectionAsync(name, cancellationToken: Token));

        Assert.Equal(48, error.Code);
        Assert.Equal("NamespaceExists", error.CodeName);
    }

    [Fact]
    public async Task Dropping_a_missing_collection_succeeds()
    {
        await database.DropCollectionAsync("never_" + Guid.NewGuid().ToString("N"), Token);

        var names = await (await database.ListCollectionNamesAsync(cancellationToken: Token)).ToListAsync(Token);
        Assert.DoesNotContain(names, n => n.StartsWith("never_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListCollections_filters_by_name_and_a_dropped_collection_disappears()
    {
        var kept = "keep_" + Guid.NewGuid().ToString("N");
        var dropped = "gone_" + Guid.NewGuid().ToString("N");
        await database.GetCollection<BsonDocument>(kept).InsertOneAsync(new BsonDocument("x", 1), cancellationToken: Token);
        await database.GetCollection<BsonDocument>(dropped).InsertOneAsync(new BsonDocument("x", 1), cancellationToken: Token);

        await database.DropCollectionAsync(dropped, Token);
        var listed = await (await database.ListCollectionsAsync(
            new ListCollectionsOptions { Filter = new BsonDocument("name", kept) }, Token)).ToListAsync(Token);
        var all = await (await database.ListCollectionNamesAsync(cancellationToken: Token)).ToListAsync(Token);

        var entry = Assert.Single(listed);
        Assert.Equal("collection", entry["type"].AsString);
        Assert.Equal(BsonBinarySubType.UuidStandard, entry["info"]["uuid"].AsBsonBinaryData.SubType);
        Assert.Contains(kept, all);
        Assert.DoesNotContain(dropped, all);
    }

    [Fact]
    public async Task DropDatabase_removes_every_collection_of_the_database()
    {
        var scratch = fixture.Client.GetDatabase(MongoFixture.DatabaseNameFor(typeof(CatalogCommandTests)));
        await scratch.GetCollection<BsonDocument>("a").InsertOneAsync(new BsonDocument("x", 1), cancellationToken: Token);

        await fixture.Client.DropDatabaseAsync(scratch.DatabaseNamespace.DatabaseName, Token);

        var names = await (await fixture.Client.ListDatabaseNamesAsync(Token)).ToListAsync(Token);
        Assert.DoesNotContain(scratch.DatabaseNamespace.DatabaseName, names);
    }

    [Fact]
    public async Task An_unknown_command_is_CommandNotFound()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            database.RunCommandAsync<BsonDocument>(new BsonDocument("frobnicate", 1), cancellationToken: Token));

        Assert.Equal(59, error.Code);
        Assert.Equal("CommandNotFound", error.CodeName);
        Assert.Contains("frobnicate", error.Message, StringComparison.Ordinal);
    }
}
