using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// The change log keeps at most MongoTestServerOptions.ChangeLogMaxBytes of documents, as the oplog keeps its
// configured size (https://www.mongodb.com/docs/manual/core/replica-set-oplog/). Every aggregate and getMore reply of a
// change stream carries a postBatchResumeToken that moves past events the stream does not return
// (https://github.com/mongodb/specifications/blob/master/source/change-streams/change-streams.md#updating-the-cached-resume-token),
// so a stream resumed from it stays within the log; one resumed from an older event that left the log gets
// ChangeStreamHistoryLost (286).
public sealed class ChangeLogBudgetTests
{
    private const int Budget = 64 * 1024;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static BsonDocument Open(string collection, BsonDocument? resumeAfter = null)
    {
        var options = new BsonDocument();
        if (resumeAfter is not null)
        {
            options["resumeAfter"] = resumeAfter;
        }

        return new BsonDocument
        {
            { "aggregate", collection },
            { "pipeline", new BsonArray { new BsonDocument("$changeStream", options) } },
            { "cursor", new BsonDocument() },
        };
    }

    private static BsonDocument GetMore(long id, string collection) =>
        new() { { "getMore", id }, { "collection", collection }, { "maxTimeMS", 300 } };

    /// <summary>Writes four times the budget of 2 KB documents to another collection: the log rolls over.</summary>
    private static Task RollTheLogAsync(IMongoDatabase database) =>
        database.GetCollection<BsonDocument>("other").InsertManyAsync(
            Enumerable.Range(0, 4 * Budget / 2048).Select(i => new BsonDocument { { "_id", i }, { "pad", new string('x', 2000) } }),
            cancellationToken: Token);

    [Fact]
    public async Task Every_reply_carries_a_post_batch_resume_token_that_moves_past_changes_the_stream_does_not_return()
    {
        await using var server = await OwnServer.StartAsync(new MongoTestServerOptions { ChangeLogMaxBytes = Budget });
        var opened = await server.RunAsync(Open("watched"));
        var id = opened["cursor"]["id"].AsInt64;
        var atOpen = opened["cursor"]["postBatchResumeToken"].AsBsonDocument;

        var idle = await server.RunAsync(GetMore(id, "watched"));
        await server.Database.GetCollection<BsonDocument>("other").InsertOneAsync(new BsonDocument("_id", "elsewhere"), cancellationToken: Token);
        var afterOther = await server.RunAsync(GetMore(id, "watched"));

        Assert.Empty(idle["cursor"]["nextBatch"].AsBsonArray);
        Assert.Equal(atOpen, idle["cursor"]["postBatchResumeToken"]);
        Assert.Empty(afterOther["cursor"]["nextBatch"].AsBsonArray);
        Assert.NotEqual(atOpen, afterOther["cursor"]["postBatchResumeToken"]);
    }

    [Fact]
    public async Task Resuming_from_an_event_that_left_the_log_is_history_lost_but_from_the_post_batch_token_it_continues()
    {
        await using var server = await OwnServer.StartAsync(new MongoTestServerOptions { ChangeLogMaxBytes = Budget });
        var watched = server.Database.GetCollection<BsonDocument>("watched");
        var opened = await server.RunAsync(Open("watched"));
        var id = opened["cursor"]["id"].AsInt64;
        await watched.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        var first = await server.RunAsync(GetMore(id, "watched"));
        var eventToken = Assert.Single(first["cursor"]["nextBatch"].AsBsonArray)["_id"].AsBsonDocument;

        await RollTheLogAsync(server.Database);
        var idle = await server.RunAsync(GetMore(id, "watched"));
        var postBatchToken = idle["cursor"]["postBatchResumeToken"].AsBsonDocument;
        await server.RunAsync(new BsonDocument { { "killCursors", "watched" }, { "cursors", new BsonArray { id } } });
        var lost = await Assert.ThrowsAsync<MongoCommandException>(() => server.RunAsync(Open("watched", eventToken)));
        var resumed = await server.RunAsync(Open("watched", postBatchToken));
        await watched.InsertOneAsync(new BsonDocument("_id", 2), cancellationToken: Token);
        var next = await server.RunAsync(GetMore(resumed["cursor"]["id"].AsInt64, "watched"));

        Assert.Equal(286, lost.Code);
        Assert.Equal("ChangeStreamHistoryLost", lost.CodeName);
        Assert.Equal(2, Assert.Single(next["cursor"]["nextBatch"].AsBsonArray)["documentKey"]["_id"].AsInt32);
    }
}
