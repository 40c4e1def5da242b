using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;
using PersistentTaskStatus.TestServer.Tests.Specifications;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// https://www.mongodb.com/docs/manual/core/retryable-writes/: the driver retries a retryable write once after a
// network error or a RetryableWriteError, and the server applies the write at most once (a retry of a write that
// already committed returns its outcome). onPrimaryTransactionalWrite acts on every retryable write of the server:
// these tests run alone.
[Collection(SpecificationTestsCollection.Name)]
public sealed class RetryableWriteTests(MongoFixture fixture)
{
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(RetryableWriteTests));
    private readonly string appName = "retry-" + Guid.NewGuid().ToString("N")[..8];
    private readonly CommandLog log = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static BsonDocument LoseTheReply => new("closeConnection", true);

    private async Task<(MongoClient Client, IMongoCollection<BsonDocument> Collection)> CounterAsync()
    {
        var name = "c_" + Guid.NewGuid().ToString("N")[..12];
        await database.GetCollection<BsonDocument>(name).InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 0 } }, cancellationToken: Token);
        var client = log.CreateClient(fixture.CreateClientSettings(), appName);
        return (client, client.GetDatabase(database.DatabaseNamespace.DatabaseName).GetCollection<BsonDocument>(name));
    }

    private Task<BsonDocument> StoredAsync(IMongoCollection<BsonDocument> collection) =>
        database.GetCollection<BsonDocument>(collection.CollectionNamespace.CollectionName).Find(new BsonDocument("_id", 1)).SingleAsync(Token);

    private static Task<BsonDocument> IncrementAsync(IMongoCollection<BsonDocument> collection) =>
        collection.FindOneAndUpdateAsync(
            new BsonDocument("_id", 1),
            new BsonDocument("$inc", new BsonDocument("n", 1)),
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After },
            Token);

    private Task<ConfiguredFailPoint> FailCommandAsync(string command, BsonDocument data)
    {
        data["failCommands"] = new BsonArray { command };
        data["appName"] = appName;
        return ConfiguredFailPoint.SetAsync(fixture.Client, "failCommand", new BsonDocument("times", 1), data, Token);
    }

    [Fact]
    public async Task A_findAndModify_whose_reply_is_lost_after_commit_is_retried_and_applied_once()
    {
        var (client, collection) = await CounterAsync();
        using var owned = client;

        BsonDocument returned;
        await using (await ConfiguredFailPoint.SetAsync(fixture.Client, "onPrimaryTransactionalWrite", new BsonDocument("times", 1), LoseTheReply, Token))
        {
            returned = await IncrementAsync(collection);
        }

        Assert.Equal(1, returned["n"].AsInt32);
        Assert.Equal(1, (await StoredAsync(collection))["n"].AsInt32);
        Assert.Equal(2, log.CountStarted("findAndModify"));
    }

    [Fact]
    public async Task An_insert_whose_reply_is_lost_after_commit_is_retried_and_stored_once()
    {
        var (client, collection) = await CounterAsync();
        using var owned = client;

        await using (await ConfiguredFailPoint.SetAsync(fixture.Client, "onPrimaryTransactionalWrite", new BsonDocument("times", 1), LoseTheReply, Token))
        {
            await collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "n", 0 } }, cancellationToken: Token);
        }

        Assert.Equal(2, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
        Assert.Equal(2, log.CountStarted("insert"));
    }

    [Fact]
    public async Task An_update_whose_reply_is_lost_after_commit_is_retried_and_applied_once()
    {
        var (client, collection) = await CounterAsync();
        using var owned = client;

        UpdateResult result;
        await using (await ConfiguredFailPoint.SetAsync(fixture.Client, "onPrimaryTransactionalWrite", new BsonDocument("times", 1), LoseTheReply, Token))
        {
            result = await collection.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument("$inc", new BsonDocument("n", 1)), cancellationToken: Token);
        }

        Assert.Equal(1, result.MatchedCount);
        Assert.Equal(1, result.ModifiedCount);
        Assert.Equal(1, (await StoredAsync(collection))["n"].AsInt32);
        Assert.Equal(2, log.CountStarted("update"));
    }

    [Fact]
    public async Task A_write_failed_before_commit_is_not_applied_and_its_retry_applies_it_once()
    {
        var (client, collection) = await CounterAsync();
        using var owned = client;

        BsonDocument returned;
        var data = new BsonDocument { { "failBeforeCommitExceptionCode", 91 }, { "closeConnection", false } };
        await using (await ConfiguredFailPoint.SetAsync(fixture.Client, "onPrimaryTransactionalWrite", new BsonDocument("times", 1), data, Token))
        {
            returned = await IncrementAsync(collection);
        }

        Assert.Equal(1, returned["n"].AsInt32);
        Assert.Equal(1, (await StoredAsync(collection))["n"].AsInt32);
        var failure = Assert.Single(log.Failed);
        Assert.Equal(91, failure.Code);
        Assert.Contains("RetryableWriteError", failure.ErrorLabels);
    }

    [Fact]
    public async Task A_write_whose_connection_closes_before_commit_is_retried_and_applied_once()
    {
        var (client, collection) = await CounterAsync();
        using var owned = client;

        BsonDocument returned;
        await using (await ConfiguredFailPoint.SetAsync(
            fixture.Client, "onPrimaryTransactionalWrite", new BsonDocument("times", 1), new BsonDocument("failBeforeCommitExceptionCode", 91), Token))
        {
            returned = await IncrementAsync(collection);
        }

        Assert.Equal(1, returned["n"].AsInt32);
        Assert.Equal(1, (await StoredAsync(collection))["n"].AsInt32);
        Assert.Equal(2, log.CountStarted("findAndModify"));
    }

    [Fact]
    public async Task A_findAndModify_failed_by_failCommand_closeConnection_is_retried_and_applied_once()
    {
        var (client, collection) = await CounterAsync();
        using var owned = client;

        BsonDocument returned;
        await using (await FailCommandAsync("findAndModify", new BsonDocument("closeConnection", true)))
        {
            returned = await IncrementAsync(collection);
        }

        Assert.Equal(1, returned["n"].AsInt32);
        Assert.Equal(1, (await StoredAsync(collection))["n"].AsInt32);
        Assert.Equal(2, log.CountStarted("findAndModify"));
    }

    // https://www.mongodb.com/docs/manual/core/retryable-writes/#retryable-write-error-label (ShutdownInProgress is
    // one of the retryable errors)
    [Fact]
    public async Task A_ShutdownInProgress_error_on_a_retryable_write_is_labelled_and_retried()
    {
        var (client, collection) = await CounterAsync();
        using var owned = client;

        await using (await FailCommandAsync("insert", new BsonDocument("errorCode", 91)))
        {
            await collection.InsertOneAsync(new BsonDocument("_id", 2), cancellationToken: Token);
        }

        Assert.Equal(2, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
        Assert.Equal(2, log.CountStarted("insert"));
        var failure = Assert.Single(log.Failed);
        Assert.Equal(91, failure.Code);
        Assert.Contains("RetryableWriteError", failure.ErrorLabels);
    }

    [Fact]
    public async Task A_non_retryable_error_is_reported_with_its_code_unlabelled_and_not_retried()
    {
        var (client, collection) = await CounterAsync();
        using var owned = client;

        MongoCommandException error;
        await using (await FailCommandAsync("findAndModify", new BsonDocument("errorCode", 2)))
        {
            error = await Assert.ThrowsAsync<MongoCommandException>(() => IncrementAsync(collection));
        }

        Assert.Equal(2, error.Code);
        Assert.Equal("BadValue", error.CodeName);
        Assert.Empty(error.ErrorLabels);
        Assert.Equal(1, log.CountStarted("findAndModify"));
        Assert.Equal(0, (await StoredAsync(collection))["n"].AsInt32);
    }
}
