using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// Each command is atomic: https://www.mongodb.com/docs/manual/core/write-operations-atomicity/
public sealed class ConcurrencyTests(MongoFixture fixture)
{
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(ConcurrencyTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_increments_from_many_clients_are_all_applied()
    {
        var name = "counter_" + Guid.NewGuid().ToString("N");
        await database.GetCollection<BsonDocument>(name).InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 0 } }, cancellationToken: Token);
        const int clients = 8;
        const int incrementsEach = 50;

        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            using var client = new MongoClient(fixture.CreateClientSettings());
            var collection = client.GetDatabase(database.DatabaseNamespace.DatabaseName).GetCollection<BsonDocument>(name);
            for (var i = 0; i < incrementsEach; i++)
            {
                await collection.FindOneAndUpdateAsync(
                    Builders<BsonDocument>.Filter.Eq("_id", 1),
                    Builders<BsonDocument>.Update.Inc("n", 1),
                    cancellationToken: Token);
            }
        }));

        var stored = await database.GetCollection<BsonDocument>(name).Find(new BsonDocument("_id", 1)).SingleAsync(Token);
        Assert.Equal(clients * incrementsEach, stored["n"].AsInt32);
    }

    [Fact]
    public async Task Concurrent_upserts_of_one_key_under_a_unique_index_create_one_document()
    {
        var name = "upsert_" + Guid.NewGuid().ToString("N");
        var collection = database.GetCollection<BsonDocument>(name);
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("key", 1), new CreateIndexOptions { Unique = true }), cancellationToken: Token);

        var created = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            var result = await collection.UpdateOneAsync(
                Builders<BsonDocument>.Filter.Eq("key", "k"),
                Builders<BsonDocument>.Update.SetOnInsert("creator", i),
                new UpdateOptions { IsUpsert = true },
                Token);
            return result.UpsertedId is not null;
        }));

        Assert.Equal(1, created.Count(c => c));
        Assert.Equal(1, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
    }
}
