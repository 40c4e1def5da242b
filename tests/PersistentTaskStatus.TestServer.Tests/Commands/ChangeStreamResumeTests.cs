using System.Diagnostics;
using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// Resuming, ordering and waiting: https://www.mongodb.com/docs/manual/changeStreams/
public sealed class ChangeStreamResumeTests(MongoFixture fixture)
{
    private static readonly TimeSpan ShortAwait = TimeSpan.FromMilliseconds(200);

    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(ChangeStreamResumeTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IMongoCollection<BsonDocument> NewCollection() =>
        database.GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);

    // https://www.mongodb.com/docs/manual/changeStreams/#resumeafter-for-change-streams
    [Fact]
    public async Task ResumeAfter_continues_with_the_event_after_the_given_token()
    {
        var collection = NewCollection();
        List<ChangeStreamDocument<BsonDocument>> first;
        using (var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = ShortAwait, BatchSize = 1 }, Token))
        {
            await collection.InsertManyAsync(Enumerable.Range(1, 3).Select(i => new BsonDocument("_id", i)), cancellationToken: Token);
            first = await stream.ReadAsync(1, Token);
        }

        await collection.InsertOneAsync(new BsonDocument("_id", 4), cancellationToken: Token);
        using var resumed = await collection.WatchAsync(new ChangeStreamOptions { ResumeAfter = first[0].ResumeToken, MaxAwaitTime = ShortAwait }, Token);
        var rest = await resumed.ReadAsync(3, Token);

        Assert.Equal(1, first[0].DocumentKey["_id"].AsInt32);
        Assert.Equal([2, 3, 4], rest.Select(c => c.DocumentKey["_id"].AsInt32));
    }

    // https://www.mongodb.com/docs/manual/changeStreams/#startafter-for-change-streams: startAfter starts a new stream
    // after an invalidate event; resumeAfter cannot (https://www.mongodb.com/docs/manual/reference/change-events/invalidate/).
    [Fact]
    public async Task StartAfter_an_invalidate_sees_the_recreated_collection_but_ResumeAfter_is_refused()
    {
        var collection = NewCollection();
        await collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        BsonDocument invalidateToken;
        using (var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = ShortAwait }, Token))
        {
            await database.DropCollectionAsync(collection.CollectionNamespace.CollectionName, Token);
            var changes = await stream.ReadAsync(2, Token);
            Assert.Equal(ChangeStreamOperationType.Invalidate, changes[^1].OperationType);
            invalidateToken = changes[^1].ResumeToken;
        }

        await collection.InsertOneAsync(new BsonDocument("_id", "after"), cancellationToken: Token);
        using var started = await collection.WatchAsync(new ChangeStreamOptions { StartAfter = invalidateToken, MaxAwaitTime = ShortAwait }, Token);
        var afterDrop = await started.ReadAsync(1, Token);
        var refused = await Assert.ThrowsAsync<MongoCommandException>(() =>
            collection.WatchAsync(new ChangeStreamOptions { ResumeAfter = invalidateToken }, Token));

        Assert.Equal("after", Assert.Single(afterDrop).DocumentKey["_id"].AsString);
        Assert.Equal(ChangeStreamOperationType.Insert, afterDrop[0].OperationType);
        Assert.Equal(260, refused.Code);
    }

    // https://www.mongodb.com/docs/manual/changeStreams/#start-time: events at or after the given cluster time.
    [Fact]
    public async Task StartAtOperationTime_replays_from_the_event_with_that_cluster_time_on()
    {
        var collection = NewCollection();
        List<ChangeStreamDocument<BsonDocument>> seen;
        using (var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = ShortAwait }, Token))
        {
            foreach (var i in Enumerable.Range(1, 3))
            {
                await collection.InsertOneAsync(new BsonDocument("_id", i), cancellationToken: Token);
            }

            seen = await stream.ReadAsync(3, Token);
        }

        using var replay = await collection.WatchAsync(
            new ChangeStreamOptions { StartAtOperationTime = seen[1].ClusterTime, MaxAwaitTime = ShortAwait }, Token);
        var replayed = await replay.ReadAsync(2, Token);

        Assert.Equal([2, 3], replayed.Select(c => c.DocumentKey["_id"].AsInt32));
        Assert.Equal(seen[1].ResumeToken, replayed[0].ResumeToken);
    }

    // https://www.mongodb.com/docs/manual/changeStreams/ ("change streams ... guarantee the total ordering of changes"):
    // with several writers, the stream gives each write once, in the order the writes committed.
    [Fact]
    public async Task Events_of_concurrent_writers_arrive_once_each_in_commit_order()
    {
        var collection = NewCollection();
        using var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = ShortAwait }, Token);
        const int writers = 4;
        const int writesEach = 25;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            using var client = new MongoClient(fixture.CreateClientSettings());
            var own = client.GetDatabase(database.DatabaseNamespace.DatabaseName).GetCollection<BsonDocument>(collection.CollectionNamespace.CollectionName);
            for (var i = 0; i < writesEach; i++)
            {
                await own.InsertOneAsync(new BsonDocument { { "_id", $"{w}-{i}" }, { "w", w }, { "i", i } }, cancellationToken: Token);
            }
        }));
        var changes = await stream.ReadAsync(writers * writesEach, Token);

        Assert.Equal(writers * writesEach, changes.Count);
        Assert.Equal(writers * writesEach, changes.Select(c => c.DocumentKey["_id"].AsString).Distinct().Count());
        for (var k = 1; k < changes.Count; k++)
        {
            Assert.True(changes[k - 1].ClusterTime < changes[k].ClusterTime, $"event {k} is not after event {k - 1}");
        }

        foreach (var w in Enumerable.Range(0, writers))
        {
            Assert.Equal(Enumerable.Range(0, writesEach), changes.Where(c => c.FullDocument["w"] == w).Select(c => c.FullDocument["i"].AsInt32));
        }
    }

    // https://www.mongodb.com/docs/manual/reference/command/getMore/ (maxTimeMS on a tailable await cursor: how long the
    // getMore waits for new data) and https://www.mongodb.com/docs/manual/changeStreams/: a waiting getMore answers
    // as soon as a change commits, not at the end of its wait.
    [Fact]
    public async Task A_waiting_getMore_returns_as_soon_as_a_change_commits()
    {
        // The getMore may wait a minute: an event that arrives within half of it came with the commit, not with the
        // end of the wait, however busy the machine (a loaded one once took seconds to deliver it).
        var longWait = TimeSpan.FromMinutes(1);
        var log = new CommandLog();
        using var client = log.CreateClient(fixture.CreateClientSettings());
        var collection = client.GetDatabase(database.DatabaseNamespace.DatabaseName).GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);
        using var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = longWait }, Token);
        await stream.MoveNextAsync(Token);
        var getMoresBefore = log.CountStarted("getMore");

        var reading = stream.ReadAsync(1, Token, longWait / 2);
        await WaitForTheGetMoreToWaitAsync(log, getMoresBefore);
        var clock = Stopwatch.StartNew();
        await fixture.Client.GetDatabase(database.DatabaseNamespace.DatabaseName)
            .GetCollection<BsonDocument>(collection.CollectionNamespace.CollectionName)
            .InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        var changes = await reading;
        clock.Stop();

        Assert.Single(changes);
        Assert.True(clock.Elapsed < longWait / 2, $"the event took {clock.Elapsed} to arrive");
        Assert.Equal(1, log.CountStarted("getMore") - getMoresBefore);
    }

    /// <summary>
    /// Until the getMore that the driver sent after <paramref name="getMoresBefore"/> waits on the server (on the
    /// in-process test server, which says so; elsewhere, once it was sent, plus a moment for it to arrive).
    /// </summary>
    private async Task WaitForTheGetMoreToWaitAsync(CommandLog log, int getMoresBefore)
    {
        var clock = Stopwatch.StartNew();
        while (log.CountStarted("getMore") == getMoresBefore)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "The driver sent no getMore within a minute.");
            await Task.Delay(10, Token);
        }

        if (fixture.TestServer is not { } server)
        {
            await Task.Delay(500, Token);
            return;
        }

        var cursorId = log.Started.Last(e => e.CommandName == "getMore").Command["getMore"].ToInt64();
        while (!server.Engine.Dispatcher.IsGetMoreWaiting(cursorId))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "The getMore did not wait on the server within a minute.");
            await Task.Delay(10, Token);
        }
    }
}
