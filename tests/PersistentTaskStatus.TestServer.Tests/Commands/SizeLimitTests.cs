using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// MongoDB's size limits on what it sends: a stored document is at most 16 MiB (BSONObjMaxUserSize); any BSON object
// the server builds (a result document, a change event after its pipeline, a reply) at most 16 MiB + 16 KiB
// (BSONObjMaxInternalSize), past which building it fails with BSONObjectTooLarge (10334); a cursor batch holds at most
// 16 MiB of documents, and at least one. Change events: https://www.mongodb.com/docs/manual/reference/operator/aggregation/changeStreamSplitLargeEvent/
// ("If a change stream has large events that exceed 16 MB, a BSONObjectTooLarge exception is returned"), raised
// where the plan executor serializes the event (plan_executor_pipeline.cpp).
public sealed class SizeLimitTests
{
    private const int MaxUserBytes = 16 * 1024 * 1024;
    private const int MaxInternalBytes = MaxUserBytes + 16 * 1024;
    private const int NineMegabytes = 9 * 1024 * 1024;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static BsonDocument Big(object id, char fill, int length) => new() { { "_id", BsonValue.Create(id) }, { "big", new string(fill, length) } };

    private static BsonDocument OpenStream(string collection, params BsonDocument[] stages)
    {
        var pipeline = new BsonArray { new BsonDocument("$changeStream", new BsonDocument("fullDocument", "updateLookup")) };
        foreach (var stage in stages)
        {
            pipeline.Add(stage);
        }

        return new BsonDocument { { "aggregate", collection }, { "pipeline", pipeline }, { "cursor", new BsonDocument() } };
    }

    private static BsonDocument GetMore(long id, string collection) =>
        new() { { "getMore", id }, { "collection", collection }, { "maxTimeMS", 2000 } };

    [Fact]
    public async Task An_insert_event_of_a_document_at_the_16_MiB_limit_is_delivered_although_the_event_is_larger()
    {
        await using var server = await OwnServer.StartAsync(new MongoTestServerOptions());
        var collection = server.Database.GetCollection<BsonDocument>("c");
        var document = Big(1, 'a', 0);
        document["big"] = new string('a', MaxUserBytes - document.ToBson().Length);
        using var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(500) }, Token);

        await collection.InsertOneAsync(document, cancellationToken: Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(MaxUserBytes, change.FullDocument.ToBson().Length);
        Assert.InRange(change.BackingDocument.ToBson().Length, MaxUserBytes + 1, MaxInternalBytes);
    }

    [Fact]
    public async Task An_update_event_past_the_limit_fails_the_getMore_with_BSONObjectTooLarge_and_kills_the_cursor()
    {
        await using var server = await OwnServer.StartAsync(new MongoTestServerOptions());
        var collection = server.Database.GetCollection<BsonDocument>("c");
        await collection.InsertOneAsync(Big(1, 'a', NineMegabytes), cancellationToken: Token);
        var opened = await server.RunAsync(OpenStream("c"));
        var id = opened["cursor"]["id"].AsInt64;

        // A 9 MB replace event fits; the update's event carries the new 9 MB value in updateDescription and the
        // whole document again in fullDocument: about 18 MB.
        await collection.ReplaceOneAsync(new BsonDocument("_id", 1), Big(1, 'b', NineMegabytes), cancellationToken: Token);
        var replace = await server.RunAsync(GetMore(id, "c"));
        await collection.UpdateOneAsync(new BsonDocument("_id", 1), Builders<BsonDocument>.Update.Set("big", new string('c', NineMegabytes)), cancellationToken: Token);
        var tooLarge = await Assert.ThrowsAsync<MongoCommandException>(() => server.RunAsync(GetMore(id, "c")));
        var gone = await Assert.ThrowsAsync<MongoCommandException>(() => server.RunAsync(GetMore(id, "c")));

        Assert.Equal("replace", Assert.Single(replace["cursor"]["nextBatch"].AsBsonArray)["operationType"].AsString);
        Assert.Equal(10334, tooLarge.Code);
        Assert.Equal("BSONObjectTooLarge", tooLarge.CodeName);
        Assert.Matches(@"^BSONObj size: \d+ \(0x[0-9A-F]+\) is invalid\. Size must be between 0 and 16793600\(16MB\) First element: _id: ", tooLarge.ErrorMessage);
        Assert.Equal(43, gone.Code);
    }

    [Fact]
    public async Task The_same_update_is_delivered_when_the_pipeline_projects_updateDescription_away()
    {
        await using var server = await OwnServer.StartAsync(new MongoTestServerOptions());
        var collection = server.Database.GetCollection<BsonDocument>("c");
        await collection.InsertOneAsync(Big(1, 'a', NineMegabytes), cancellationToken: Token);
        var opened = await server.RunAsync(OpenStream("c", new BsonDocument("$project", new BsonDocument("updateDescription", 0))));

        await collection.UpdateOneAsync(new BsonDocument("_id", 1), Builders<BsonDocument>.Update.Set("big", new string('c', NineMegabytes)), cancellationToken: Token);
        var batch = await server.RunAsync(GetMore(opened["cursor"]["id"].AsInt64, "c"));

        var change = Assert.Single(batch["cursor"]["nextBatch"].AsBsonArray).AsBsonDocument;
        Assert.False(change.Contains("updateDescription"));
        Assert.InRange(change.ToBson().Length, NineMegabytes, MaxUserBytes);
    }

    [Fact]
    public async Task Change_events_are_batched_to_16_MiB_with_at_least_one_per_batch()
    {
        await using var server = await OwnServer.StartAsync(new MongoTestServerOptions());
        var collection = server.Database.GetCollection<BsonDocument>("c");
        var opened = await server.RunAsync(OpenStream("c"));
        var id = opened["cursor"]["id"].AsInt64;

        await collection.InsertManyAsync([Big(1, 'a', NineMegabytes), Big(2, 'b', NineMegabytes)], cancellationToken: Token);
        var first = await server.RunAsync(GetMore(id, "c"));
        var second = await server.RunAsync(GetMore(id, "c"));

        Assert.Equal(1, Assert.Single(first["cursor"]["nextBatch"].AsBsonArray)["documentKey"]["_id"].AsInt32);
        Assert.Equal(2, Assert.Single(second["cursor"]["nextBatch"].AsBsonArray)["documentKey"]["_id"].AsInt32);
    }

    [Fact]
    public async Task A_result_document_past_the_limit_fails_aggregate_find_and_findAndModify_with_BSONObjectTooLarge()
    {
        await using var server = await OwnServer.StartAsync(new MongoTestServerOptions());
        var collection = server.Database.GetCollection<BsonDocument>("c");
        await collection.InsertOneAsync(Big(1, 'a', NineMegabytes), cancellationToken: Token);
        var twice = BsonDocument.Parse("{ a: '$big', b: '$big' }");

        var aggregate = await Assert.ThrowsAsync<MongoCommandException>(() =>
            collection.Aggregate<BsonDocument>(new[] { new BsonDocument("$project", twice) }, cancellationToken: Token).ToListAsync(Token));
        var find = await Assert.ThrowsAsync<MongoCommandException>(() =>
            collection.Find(FilterDefinition<BsonDocument>.Empty).Project(twice).ToListAsync(Token));
        var findAndModify = await Assert.ThrowsAsync<MongoCommandException>(() => collection.FindOneAndUpdateAsync(
            new BsonDocument("_id", 1),
            Builders<BsonDocument>.Update.Set("x", 1),
            new FindOneAndUpdateOptions<BsonDocument> { Projection = twice, ReturnDocument = ReturnDocument.After },
            Token));

        Assert.Equal(10334, aggregate.Code);
        Assert.Equal(10334, find.Code);
        Assert.Equal(10334, findAndModify.Code);
    }

    [Fact]
    public async Task A_query_of_two_9_MB_documents_comes_in_two_batches()
    {
        await using var server = await OwnServer.StartAsync(new MongoTestServerOptions());
        await server.Database.GetCollection<BsonDocument>("c").InsertManyAsync([Big(1, 'a', NineMegabytes), Big(2, 'b', NineMegabytes)], cancellationToken: Token);

        var first = await server.RunAsync(BsonDocument.Parse("{ find: 'c' }"));
        var second = await server.RunAsync(new BsonDocument { { "getMore", first["cursor"]["id"].AsInt64 }, { "collection", "c" } });

        Assert.Single(first["cursor"]["firstBatch"].AsBsonArray);
        Assert.Single(second["cursor"]["nextBatch"].AsBsonArray);
        Assert.Equal(0, second["cursor"]["id"].AsInt64);
    }
}
