using System.Diagnostics;
using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;
using PersistentTaskStatus.TestServer.Tests.Specifications;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// The failCommand fail point and its modes (https://github.com/mongodb/mongo/wiki/The-%22failCommand%22-fail-point),
// as the drivers' tests use it; the errors and write concern errors it makes are those of
// https://www.mongodb.com/docs/manual/reference/command/configureFailPoint/ and
// https://www.mongodb.com/docs/manual/reference/write-concern/. Fail points act on the whole server: these tests run
// alone, each scoped to its own application name.
[Collection(SpecificationTestsCollection.Name)]
public sealed class FailPointTests(MongoFixture fixture)
{
    private readonly string databaseName = MongoFixture.DatabaseNameFor(typeof(FailPointTests));
    private readonly string appName = "fp-" + Guid.NewGuid().ToString("N")[..8];
    private readonly CommandLog log = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private MongoClient NewClient(Action<MongoClientSettings>? configure = null)
    {
        var settings = fixture.CreateClientSettings();
        settings.RetryReads = false;
        configure?.Invoke(settings);
        return log.CreateClient(settings, appName);
    }

    private async Task<IMongoCollection<BsonDocument>> SeededAsync(IMongoClient client)
    {
        var name = "c_" + Guid.NewGuid().ToString("N")[..12];
        await fixture.Client.GetDatabase(databaseName).GetCollection<BsonDocument>(name)
            .InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 0 } }, cancellationToken: Token);
        return client.GetDatabase(databaseName).GetCollection<BsonDocument>(name);
    }

    private Task<ConfiguredFailPoint> FailFindAsync(BsonValue mode, BsonDocument? extra = null)
    {
        var data = new BsonDocument { { "failCommands", new BsonArray { "find" } }, { "errorCode", 2 }, { "appName", appName } };
        data.Merge(extra ?? [], overwriteExistingElements: true);
        return ConfiguredFailPoint.SetAsync(fixture.Client, "failCommand", mode, data, Token);
    }

    /// <summary>Runs <paramref name="count"/> finds; true for each that succeeded, false for each that failed with code 2.</summary>
    private static async Task<List<bool>> FindManyAsync(IMongoCollection<BsonDocument> collection, int count)
    {
        var outcomes = new List<bool>();
        for (var i = 0; i < count; i++)
        {
            try
            {
                await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);
                outcomes.Add(true);
            }
            catch (MongoCommandException ex) when (ex.Code == 2)
            {
                outcomes.Add(false);
            }
        }

        return outcomes;
    }

    [Fact]
    public async Task Times_fails_that_many_commands_then_none()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);

        await using var failPoint = await FailFindAsync(new BsonDocument("times", 2));
        var outcomes = await FindManyAsync(collection, 4);

        Assert.Equal([false, false, true, true], outcomes);
    }

    [Fact]
    public async Task Skip_lets_that_many_commands_through_then_fails_every_one()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);

        await using var failPoint = await FailFindAsync(new BsonDocument("skip", 2));
        var outcomes = await FindManyAsync(collection, 4);

        Assert.Equal([true, true, false, false], outcomes);
    }

    [Fact]
    public async Task AlwaysOn_fails_every_command_until_switched_off()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);

        List<bool> whileOn;
        await using (var failPoint = await FailFindAsync("alwaysOn"))
        {
            whileOn = await FindManyAsync(collection, 3);
            await failPoint.OffAsync();
        }

        var afterwards = await FindManyAsync(collection, 2);

        Assert.Equal([false, false, false], whileOn);
        Assert.Equal([true, true], afterwards);
    }

    [Fact]
    public async Task The_fail_point_only_fails_commands_of_its_application_name()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);
        var settings = fixture.CreateClientSettings();
        settings.ApplicationName = "someone-else";
        settings.RetryReads = false;
        using var other = new MongoClient(settings);
        var otherCollection = other.GetDatabase(databaseName).GetCollection<BsonDocument>(collection.CollectionNamespace.CollectionName);

        await using var failPoint = await FailFindAsync("alwaysOn");
        var ours = await FindManyAsync(collection, 2);
        var theirs = await FindManyAsync(otherCollection, 2);

        Assert.Equal([false, false], ours);
        Assert.Equal([true, true], theirs);
    }

    [Fact]
    public async Task BlockConnection_delays_the_command_by_blockTimeMS_and_then_lets_it_succeed()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);

        await using var failPoint = await ConfiguredFailPoint.SetAsync(fixture.Client, "failCommand", new BsonDocument("times", 1), new BsonDocument
        {
            { "failCommands", new BsonArray { "find" } },
            { "blockConnection", true },
            { "blockTimeMS", 600 },
            { "appName", appName },
        }, Token);
        var clock = Stopwatch.StartNew();
        var found = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);
        clock.Stop();

        Assert.Single(found);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(550), $"the find took only {clock.Elapsed}");
    }

    [Fact]
    public async Task A_block_longer_than_the_socket_timeout_makes_the_driver_time_out()
    {
        using var client = NewClient(s => s.SocketTimeout = TimeSpan.FromMilliseconds(300));
        var collection = await SeededAsync(client);
        await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);

        await using var failPoint = await ConfiguredFailPoint.SetAsync(fixture.Client, "failCommand", new BsonDocument("times", 1), new BsonDocument
        {
            { "failCommands", new BsonArray { "find" } },
            { "blockConnection", true },
            { "blockTimeMS", 20_000 },
            { "appName", appName },
        }, Token);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<MongoConnectionException>(() => collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token));
        clock.Stop();

        // The block is far longer than the timeout (nearly 70 times), so that a busy machine cannot make a timely
        // give-up look late: what is checked is that the driver stopped waiting before the server answered.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the driver waited {clock.Elapsed}");
        Assert.Contains("timed out", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_write_concern_error_is_reported_by_findAndModify_and_the_write_is_applied()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);

        await using var failPoint = await ConfiguredFailPoint.SetAsync(fixture.Client, "failCommand", new BsonDocument("times", 1), new BsonDocument
        {
            { "failCommands", new BsonArray { "findAndModify" } },
            { "writeConcernError", new BsonDocument { { "code", 100 }, { "codeName", "UnsatisfiableWriteConcern" }, { "errmsg", "Not enough data-bearing nodes" } } },
            { "appName", appName },
        }, Token);
        var error = await Assert.ThrowsAsync<MongoWriteConcernException>(() => collection.FindOneAndUpdateAsync(
            new BsonDocument("_id", 1), new BsonDocument("$inc", new BsonDocument("n", 1)), cancellationToken: Token));

        Assert.Equal(100, error.WriteConcernResult.Response["writeConcernError"]["code"].ToInt32());
        Assert.Equal(1, (await collection.Find(new BsonDocument("_id", 1)).SingleAsync(Token))["n"].AsInt32);
    }

    [Fact]
    public async Task A_write_concern_error_is_reported_by_insert_and_the_document_is_stored()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);

        await using var failPoint = await ConfiguredFailPoint.SetAsync(fixture.Client, "failCommand", new BsonDocument("times", 1), new BsonDocument
        {
            { "failCommands", new BsonArray { "insert" } },
            { "writeConcernError", new BsonDocument { { "code", 100 }, { "codeName", "UnsatisfiableWriteConcern" }, { "errmsg", "Not enough data-bearing nodes" } } },
            { "appName", appName },
        }, Token);
        var error = await Assert.ThrowsAsync<MongoWriteException>(() => collection.InsertOneAsync(new BsonDocument("_id", 2), cancellationToken: Token));

        Assert.NotNull(error.WriteConcernError);
        Assert.Equal(100, error.WriteConcernError.Code);
        Assert.Null(error.WriteError);
        Assert.Equal(2, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
    }

    // configureFailPoint answers with how many times the fail point fired before this call
    // (https://github.com/mongodb/mongo/wiki/The-%22failCommand%22-fail-point).
    [Fact]
    public async Task Configuring_a_fail_point_reports_how_often_it_fired_and_other_commands_do_not_consume_it()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);

        BsonDocument reply;
        List<bool> outcomes;
        await using (await FailFindAsync(new BsonDocument("times", 3)))
        {
            await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token);
            outcomes = await FindManyAsync(collection, 2);
            reply = await fixture.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(
                new BsonDocument { { "configureFailPoint", "failCommand" }, { "mode", "off" } }, cancellationToken: Token);
        }

        Assert.Equal([false, false], outcomes);
        Assert.Equal(2, reply["count"].ToInt32());
    }

    [Fact]
    public async Task A_fail_point_that_used_up_its_times_still_reports_how_often_it_fired()
    {
        using var client = NewClient();
        var collection = await SeededAsync(client);

        BsonDocument reply;
        List<bool> outcomes;
        await using (await FailFindAsync(new BsonDocument("times", 1)))
        {
            outcomes = await FindManyAsync(collection, 2);
            reply = await fixture.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(
                new BsonDocument { { "configureFailPoint", "failCommand" }, { "mode", "off" } }, cancellationToken: Token);
        }

        Assert.Equal([false, true], outcomes);
        Assert.Equal(1, reply["count"].ToInt32());
    }
}
