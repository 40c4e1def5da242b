using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// Multi-document transactions (https://www.mongodb.com/docs/manual/core/transactions/) are not implemented by the test
// server; it must say so instead of running the operations outside a transaction. A real MongoDB supports them.
public sealed class TransactionTests(MongoFixture fixture)
{
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(TransactionTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_insert_in_a_transaction_is_refused_naming_multi_document_transactions_and_nothing_is_written()
    {
        if (fixture.TestServer is null)
        {
            Assert.Skip("A real MongoDB supports transactions.");
        }

        var collection = database.GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);
        using var session = await fixture.Client.StartSessionAsync(cancellationToken: Token);
        session.StartTransaction();

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => collection.InsertOneAsync(session, new BsonDocument("_id", 1), cancellationToken: Token));
        await session.AbortTransactionAsync(Token);

        Assert.Contains("Multi-document transactions", error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
        Assert.Equal("NotImplemented", error.CodeName);
        Assert.Equal(0, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
    }

    [Fact]
    public async Task A_read_in_a_transaction_is_refused_too()
    {
        if (fixture.TestServer is null)
        {
            Assert.Skip("A real MongoDB supports transactions.");
        }

        var collection = database.GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);
        await collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        using var session = await fixture.Client.StartSessionAsync(cancellationToken: Token);
        session.StartTransaction();

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => collection.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync(Token));
        await session.AbortTransactionAsync(Token);

        Assert.Contains("Multi-document transactions", error.Message, StringComparison.Ordinal);
    }
}
