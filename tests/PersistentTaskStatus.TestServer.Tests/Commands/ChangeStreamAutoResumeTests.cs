using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;
using PersistentTaskStatus.TestServer.Tests.Specifications;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// The driver resumes a change stream by itself after a resumable error on getMore, from the last resume token it saw,
// so that no event is skipped or repeated: https://www.mongodb.com/docs/manual/changeStreams/#resume-a-change-stream
// and the drivers' change streams specification ("Resumable Error": a getMore error labelled
// ResumableChangeStreamError, a CursorNotFound, or a network error). The fail points act on the whole server.
[Collection(SpecificationTestsCollection.Name)]
public sealed class ChangeStreamAutoResumeTests(MongoFixture fixture)
{
    private readonly string databaseName = MongoFixture.DatabaseNameFor(typeof(ChangeStreamAutoResumeTests));
    private readonly string appName = "resume-" + Guid.NewGuid().ToString("N")[..8];
    private readonly CommandLog log = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// Reads inserts 1–3, sets the fail point, inserts 4–6 and reads on: the stream must give 1–6, each once.
    /// </summary>
    private async Task<List<ChangeStreamDocument<BsonDocument>>> ReadAcrossFailureAsync(string failPoint, BsonDocument data)
    {
        using var client = log.CreateClient(fixture.CreateClientSettings(), appName);
        var name = "c_" + Guid.NewGuid().ToString("N")[..12];
        var watched = client.GetDatabase(databaseName).GetCollection<BsonDocument>(name);
        var writer = fixture.Client.GetDatabase(databaseName).GetCollection<BsonDocument>(name);
        using var stream = await watched.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(200), BatchSize = 2 }, Token);

        await writer.InsertManyAsync(Enumerable.Range(1, 3).Select(i => new BsonDocument("_id", i)), cancellationToken: Token);
        var changes = await stream.ReadAsync(3, Token);
        await using (await ConfiguredFailPoint.SetAsync(fixture.Client, failPoint, new BsonDocument("times", 1), data, Token))
        {
            await writer.InsertManyAsync(Enumerable.Range(4, 3).Select(i => new BsonDocument("_id", i)), cancellationToken: Token);
            changes.AddRange(await stream.ReadAsync(3, Token));
        }

        return changes;
    }

    private static void AssertEachEventOnce(List<ChangeStreamDocument<BsonDocument>> changes)
    {
        Assert.Equal([1, 2, 3, 4, 5, 6], changes.Select(c => c.DocumentKey["_id"].AsInt32));
        Assert.Equal(6, changes.Select(c => c.ResumeToken).Distinct().Count());
    }

    [Fact]
    public async Task A_labelled_getMore_error_after_cursor_checkout_is_resumed_without_losing_or_repeating_events()
    {
        var changes = await ReadAcrossFailureAsync("failGetMoreAfterCursorCheckout", new BsonDocument("errorCode", 6));

        AssertEachEventOnce(changes);
        var failure = Assert.Single(log.Failed, e => e.CommandName == "getMore");
        Assert.Equal(6, failure.Code);
        Assert.Contains("ResumableChangeStreamError", failure.ErrorLabels);
        Assert.Equal(2, log.CountStarted("aggregate"));
        var resume = log.Started.Last(e => e.CommandName == "aggregate").Command["pipeline"][0]["$changeStream"].AsBsonDocument;
        Assert.True(resume.Contains("resumeAfter"));
    }

    [Fact]
    public async Task A_CursorNotFound_on_getMore_is_resumed_without_losing_or_repeating_events()
    {
        var changes = await ReadAcrossFailureAsync("failCommand", new BsonDocument
        {
            { "failCommands", new BsonArray { "getMore" } },
            { "errorCode", 43 },
            { "appName", appName },
        });

        AssertEachEventOnce(changes);
        Assert.Equal(2, log.CountStarted("aggregate"));
    }

    [Fact]
    public async Task A_connection_closed_during_getMore_is_resumed_without_losing_or_repeating_events()
    {
        var changes = await ReadAcrossFailureAsync("failCommand", new BsonDocument
        {
            { "failCommands", new BsonArray { "getMore" } },
            { "closeConnection", true },
            { "appName", appName },
        });

        AssertEachEventOnce(changes);
        Assert.Equal(2, log.CountStarted("aggregate"));
    }

    // failCommand fails a getMore before it checks out its cursor, so MongoDB cannot tell it belongs to a change
    // stream and adds no ResumableChangeStreamError label (SERVER-46091, the reason failGetMoreAfterCursorCheckout
    // exists); the driver then reports the error instead of resuming.
    [Fact]
    public async Task A_failCommand_error_on_getMore_has_no_resumable_label_and_is_not_resumed()
    {
        using var client = log.CreateClient(fixture.CreateClientSettings(), appName);
        var collection = client.GetDatabase(databaseName).GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);
        using var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(200) }, Token);
        await stream.MoveNextAsync(Token);
        await using var failPoint = await ConfiguredFailPoint.SetAsync(fixture.Client, "failCommand", new BsonDocument("times", 1), new BsonDocument
        {
            { "failCommands", new BsonArray { "getMore" } },
            { "errorCode", 6 },
            { "appName", appName },
        }, Token);

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => stream.MoveNextAsync(Token));

        Assert.Equal(6, error.Code);
        Assert.False(error.HasErrorLabel("ResumableChangeStreamError"));
        Assert.Equal(1, log.CountStarted("aggregate"));
    }
}
