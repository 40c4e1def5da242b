using Microsoft.Extensions.Time.Testing;
using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// MongoTestServerOptions.TimeProvider: the server's "now" wherever it reads the time. Each test starts a server of
// its own on a fake clock.
public sealed class ServerClockTests
{
    private static readonly DateTimeOffset Start = new(2031, 5, 17, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NOW_localTime_and_change_events_wall_time_read_the_injected_clock()
    {
        var clock = new FakeTimeProvider(Start);
        await using var server = await MongoTestServer.StartAsync(new MongoTestServerOptions { TimeProvider = clock }, Token);
        using var client = new MongoClient(server.ConnectionString);
        var collection = client.GetDatabase("clock").GetCollection<BsonDocument>("c");
        using var stream = await collection.WatchAsync(cancellationToken: Token);

        await collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        clock.Advance(TimeSpan.FromHours(5));
        await collection.UpdateOneAsync(
            new BsonDocument("_id", 1),
            new PipelineUpdateDefinition<BsonDocument>(new BsonDocument[] { new("$set", new BsonDocument("at", "$$NOW")) }),
            cancellationToken: Token);
        var hello = await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: Token);
        var events = await stream.ReadAsync(2, Token);

        var stored = await collection.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync(Token);
        Assert.Equal(Start.UtcDateTime.AddHours(5), stored["at"].ToUniversalTime());
        Assert.Equal(Start.UtcDateTime.AddHours(5), hello["localTime"].ToUniversalTime());
        Assert.Equal(2, events.Count);
        Assert.Equal(Start.UtcDateTime, events[0].WallTime);
        Assert.Equal(Start.UtcDateTime.AddHours(5), events[1].WallTime);
        Assert.Equal((int)Start.AddHours(5).ToUnixTimeSeconds(), events[1].ClusterTime.Timestamp);
    }

    [Fact]
    public async Task The_TTL_monitor_judges_expiry_and_runs_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider(Start);
        await using var server = await MongoTestServer.StartAsync(new MongoTestServerOptions { TimeProvider = clock }, Token);
        using var client = new MongoClient(server.ConnectionString);
        var collection = client.GetDatabase("clock").GetCollection<BsonDocument>("ttl");
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("expiresAt", 1), new CreateIndexOptions { ExpireAfter = TimeSpan.Zero }),
            cancellationToken: Token);
        await collection.InsertManyAsync(
            [
                new BsonDocument { { "_id", "soon" }, { "expiresAt", Start.UtcDateTime.AddMinutes(10) } },
                new BsonDocument { { "_id", "later" }, { "expiresAt", Start.UtcDateTime.AddDays(1) } },
            ],
            cancellationToken: Token);

        // Real time passes, the fake clock does not: nothing expires, and the monitor (every 60 s of the clock) does not run.
        Assert.Equal(0, server.SweepExpiredDocuments());

        // Eleven minutes of the clock: the monitor runs on its own and removes what expired by the clock.
        clock.Advance(TimeSpan.FromMinutes(11));

        var left = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);
        Assert.Equal(["later"], left.Select(d => d["_id"].AsString));
    }
}
