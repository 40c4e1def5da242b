using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// Which event each kind of write produces: https://www.mongodb.com/docs/manual/reference/change-events/ (insert, update,
// replace, delete) and https://www.mongodb.com/docs/manual/reference/change-events/update/#description.
public sealed class ChangeStreamWriteKindTests(MongoFixture fixture)
{
    private static readonly ChangeStreamOptions Quick = new() { MaxAwaitTime = TimeSpan.FromMilliseconds(200) };

    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(ChangeStreamWriteKindTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<(IMongoCollection<BsonDocument> Collection, IChangeStreamCursor<ChangeStreamDocument<BsonDocument>> Stream)> WatchedAsync(params BsonDocument[] seed)
    {
        var collection = database.GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);
        if (seed.Length > 0)
        {
            await collection.InsertManyAsync(seed, cancellationToken: Token);
        }

        return (collection, await collection.WatchAsync(Quick, Token));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/update/: removedFields and updatedFields use the
    // dotted path of a field inside an embedded document or an array.
    [Theory]
    [InlineData("{ _id: 1, a: { b: 1, c: 1 } }", "{ $unset: { 'a.b': '' } }", "{ }", "['a.b']")]
    [InlineData("{ _id: 1, arr: [1, 2, 3] }", "{ $set: { 'arr.1': 20 } }", "{ 'arr.1': 20 }", "[]")]
    [InlineData("{ _id: 1, a: { b: { c: 1 } } }", "{ $inc: { 'a.b.c': 1 } }", "{ 'a.b.c': 2 }", "[]")]
    [InlineData("{ _id: 1, old: 5 }", "{ $rename: { old: 'fresh' } }", "{ fresh: 5 }", "['old']")]
    [InlineData("{ _id: 1, a: 1 }", "{ $set: { 'n.m': 1 } }", "{ n: { m: 1 } }", "[]")]
    public async Task Update_descriptions_name_nested_fields_by_dotted_path(string seed, string update, string updatedFields, string removedFields)
    {
        var (collection, stream) = await WatchedAsync(BsonDocument.Parse(seed));
        using var owned = stream;

        await collection.UpdateOneAsync(new BsonDocument("_id", 1), BsonDocument.Parse(update), cancellationToken: Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(ChangeStreamOperationType.Update, change.OperationType);
        Assert.Equal(BsonDocument.Parse(updatedFields), change.UpdateDescription.UpdatedFields);
        Assert.Equal(BsonSerializer.Deserialize<string[]>(removedFields), change.UpdateDescription.RemovedFields);
    }

    // An update that changes nothing writes no oplog entry, so there is no event
    // (https://www.mongodb.com/docs/manual/reference/method/db.collection.updateOne/#behavior: nModified 0).
    [Fact]
    public async Task An_update_that_changes_nothing_gives_no_event()
    {
        var (collection, stream) = await WatchedAsync(new BsonDocument { { "_id", 1 }, { "v", 1 } });
        using var owned = stream;

        var result = await collection.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument("$set", new BsonDocument("v", 1)), cancellationToken: Token);
        await collection.InsertOneAsync(new BsonDocument("_id", 2), cancellationToken: Token);
        var changes = await stream.ReadAsync(1, Token);

        Assert.Equal(0, result.ModifiedCount);
        Assert.Equal(ChangeStreamOperationType.Insert, Assert.Single(changes).OperationType);
    }

    [Fact]
    public async Task An_upsert_that_inserts_gives_an_insert_event()
    {
        var (collection, stream) = await WatchedAsync();
        using var owned = stream;

        await collection.UpdateOneAsync(new BsonDocument("_id", 5), new BsonDocument("$set", new BsonDocument("v", 1)), new UpdateOptions { IsUpsert = true }, Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(ChangeStreamOperationType.Insert, change.OperationType);
        Assert.Equal(new BsonDocument { { "_id", 5 }, { "v", 1 } }, change.FullDocument);
    }

    [Fact]
    public async Task FindOneAndReplace_gives_a_replace_event_and_a_pipeline_update_an_update_event()
    {
        var (collection, stream) = await WatchedAsync(new BsonDocument { { "_id", 1 }, { "v", 1 } });
        using var owned = stream;

        await collection.FindOneAndReplaceAsync(new BsonDocument("_id", 1), new BsonDocument("v", 2), cancellationToken: Token);
        await collection.UpdateOneAsync(
            new BsonDocument("_id", 1),
            new BsonDocumentStagePipelineDefinition<BsonDocument, BsonDocument>([new BsonDocument("$set", new BsonDocument("w", new BsonDocument("$add", new BsonArray { "$v", 1 })))]),
            cancellationToken: Token);
        var changes = await stream.ReadAsync(2, Token);

        Assert.Equal([ChangeStreamOperationType.Replace, ChangeStreamOperationType.Update], changes.Select(c => c.OperationType));
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "v", 2 } }, changes[0].FullDocument);
        Assert.Equal(new BsonDocument("w", 3), changes[1].UpdateDescription.UpdatedFields);
    }

    [Fact]
    public async Task UpdateMany_and_deleteMany_give_one_event_per_document()
    {
        var (collection, stream) = await WatchedAsync(new BsonDocument("_id", 1), new BsonDocument("_id", 2), new BsonDocument("_id", 3));
        using var owned = stream;

        await collection.UpdateManyAsync(new BsonDocument("_id", new BsonDocument("$gte", 2)), new BsonDocument("$set", new BsonDocument("x", 1)), cancellationToken: Token);
        await collection.DeleteManyAsync(FilterDefinition<BsonDocument>.Empty, Token);
        var changes = await stream.ReadAsync(5, Token);

        Assert.Equal(
            ["update:2", "update:3", "delete:1", "delete:2", "delete:3"],
            changes.Select(c => $"{c.OperationType.ToString().ToLowerInvariant()}:{c.DocumentKey["_id"]}"));
    }

    // https://www.mongodb.com/docs/manual/changeStreams/#watch-a-collection--database--or-deployment: no stream on the
    // admin, local or config databases.
    [Fact]
    public async Task A_change_stream_on_the_admin_database_is_refused()
    {
        await Assert.ThrowsAsync<MongoCommandException>(() => fixture.Client.GetDatabase("admin").WatchAsync(Quick, Token));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/create/: with showExpandedEvents a stream reports
    // the creation of a collection. The test server does not record such events and must say so, not stay silent.
    [Fact]
    public async Task ShowExpandedEvents_reports_a_create_event_or_is_refused_as_not_supported()
    {
        var watched = fixture.CreateDatabase(typeof(ChangeStreamWriteKindTests));
        var options = new ChangeStreamOptions { ShowExpandedEvents = true, MaxAwaitTime = TimeSpan.FromMilliseconds(200) };
        if (fixture.TestServer is not null)
        {
            var error = await Assert.ThrowsAsync<MongoCommandException>(() => watched.WatchAsync(options, Token));
            Assert.Equal("NotImplemented", error.CodeName);
            Assert.Contains("showExpandedEvents", error.Message, StringComparison.Ordinal);
            return;
        }

        using var stream = await watched.WatchAsync(options, Token);
        await watched.CreateCollectionAsync("created", cancellationToken: Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(ChangeStreamOperationType.Create, change.OperationType);
    }
}

