using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// The shape of each change event, through the driver's Watch: https://www.mongodb.com/docs/manual/reference/change-events/
public sealed class ChangeStreamEventTests(MongoFixture fixture)
{
    private static readonly ChangeStreamOptions Quick = new() { MaxAwaitTime = TimeSpan.FromMilliseconds(200) };

    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(ChangeStreamEventTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string NewName() => "c_" + Guid.NewGuid().ToString("N")[..12];

    // https://www.mongodb.com/docs/manual/reference/change-events/insert/
    [Fact]
    public async Task An_insert_event_carries_the_full_document_its_key_and_namespace_and_nothing_else()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        using var stream = await collection.WatchAsync(Quick, Token);

        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "name", "a" } }, cancellationToken: Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(ChangeStreamOperationType.Insert, change.OperationType);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "name", "a" } }, change.FullDocument);
        Assert.Equal(new BsonDocument("_id", 1), change.DocumentKey);
        Assert.Equal(collection.CollectionNamespace, change.CollectionNamespace);
        Assert.True(change.BackingDocument["_id"].IsBsonDocument);
        Assert.Equal(BsonType.Timestamp, change.BackingDocument["clusterTime"].BsonType);
        Assert.Equal(BsonType.DateTime, change.BackingDocument["wallTime"].BsonType);
        Assert.Equal(
            new[] { "_id", "clusterTime", "documentKey", "fullDocument", "ns", "operationType", "wallTime" },
            change.BackingDocument.Names.Order(StringComparer.Ordinal));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/update/
    [Fact]
    public async Task An_update_event_describes_nested_sets_removals_and_truncated_arrays_without_a_full_document()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        await collection.InsertOneAsync(
            new BsonDocument { { "_id", 1 }, { "a", new BsonDocument { { "b", 1 }, { "c", 1 } } }, { "x", 1 }, { "arr", new BsonArray { 1, 2, 3 } } },
            cancellationToken: Token);
        using var stream = await collection.WatchAsync(Quick, Token);

        await collection.UpdateOneAsync(
            new BsonDocument("_id", 1),
            new BsonDocument { { "$set", new BsonDocument("a.b", 2) }, { "$unset", new BsonDocument("x", "") }, { "$pop", new BsonDocument("arr", 1) } },
            cancellationToken: Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(ChangeStreamOperationType.Update, change.OperationType);
        Assert.Equal(new BsonDocument("a.b", 2), change.UpdateDescription.UpdatedFields);
        Assert.Equal(["x"], change.UpdateDescription.RemovedFields);
        Assert.Equal(new BsonArray { new BsonDocument { { "field", "arr" }, { "newSize", 2 } } }, change.UpdateDescription.TruncatedArrays);
        Assert.Equal(new BsonDocument("_id", 1), change.DocumentKey);
        Assert.False(change.BackingDocument.Contains("fullDocument"));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/update/ (an element appended to an array is an
    // updated field under its index)
    [Fact]
    public async Task A_push_is_described_as_the_new_array_element_under_its_index()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "arr", new BsonArray { 1, 2, 3 } } }, cancellationToken: Token);
        using var stream = await collection.WatchAsync(Quick, Token);

        await collection.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument("$push", new BsonDocument("arr", 4)), cancellationToken: Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(new BsonDocument("arr.3", 4), change.UpdateDescription.UpdatedFields);
        Assert.Empty(change.UpdateDescription.RemovedFields);
        Assert.Empty(change.UpdateDescription.TruncatedArrays);
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/replace/
    [Fact]
    public async Task A_replace_event_carries_the_new_document_and_no_update_description()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "old", true } }, cancellationToken: Token);
        using var stream = await collection.WatchAsync(Quick, Token);

        await collection.ReplaceOneAsync(new BsonDocument("_id", 1), new BsonDocument("fresh", 1), cancellationToken: Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(ChangeStreamOperationType.Replace, change.OperationType);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "fresh", 1 } }, change.FullDocument);
        Assert.Equal(new BsonDocument("_id", 1), change.DocumentKey);
        Assert.False(change.BackingDocument.Contains("updateDescription"));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/delete/
    [Fact]
    public async Task A_delete_event_carries_only_the_document_key()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        await collection.InsertOneAsync(new BsonDocument { { "_id", 7 }, { "v", 1 } }, cancellationToken: Token);
        using var stream = await collection.WatchAsync(Quick, Token);

        await collection.DeleteOneAsync(new BsonDocument("_id", 7), Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(ChangeStreamOperationType.Delete, change.OperationType);
        Assert.Equal(new BsonDocument("_id", 7), change.DocumentKey);
        Assert.False(change.BackingDocument.Contains("fullDocument"));
        Assert.False(change.BackingDocument.Contains("updateDescription"));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/drop/ and .../invalidate/
    [Fact]
    public async Task Dropping_the_watched_collection_gives_a_drop_then_an_invalidate_and_closes_the_stream()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        await collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        using var stream = await collection.WatchAsync(Quick, Token);

        await database.DropCollectionAsync(collection.CollectionNamespace.CollectionName, Token);
        var changes = await stream.ReadAsync(2, Token);

        Assert.Equal([ChangeStreamOperationType.Drop, ChangeStreamOperationType.Invalidate], changes.Select(c => c.OperationType));
        Assert.Equal(collection.CollectionNamespace, changes[0].CollectionNamespace);
        Assert.False(changes[1].BackingDocument.Contains("ns"));
        Assert.True(await stream.IsClosedAsync(Token));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/rename/
    [Fact]
    public async Task Renaming_the_watched_collection_gives_a_rename_event_with_its_target_then_an_invalidate()
    {
        var from = NewName();
        var to = NewName();
        var collection = database.GetCollection<BsonDocument>(from);
        await collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        using var stream = await collection.WatchAsync(Quick, Token);

        await database.RenameCollectionAsync(from, to, cancellationToken: Token);
        var changes = await stream.ReadAsync(2, Token);

        Assert.Equal([ChangeStreamOperationType.Rename, ChangeStreamOperationType.Invalidate], changes.Select(c => c.OperationType));
        Assert.Equal(collection.CollectionNamespace, changes[0].CollectionNamespace);
        Assert.Equal(new CollectionNamespace(database.DatabaseNamespace, to), changes[0].RenameTo);
        Assert.True(await stream.IsClosedAsync(Token));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/dropDatabase/: a drop event for each collection,
    // then dropDatabase; a database stream is then invalidated (.../invalidate/).
    [Fact]
    public async Task Dropping_a_watched_database_gives_a_drop_per_collection_then_dropDatabase_then_invalidate()
    {
        var own = fixture.Client.GetDatabase(MongoFixture.DatabaseNameFor(typeof(ChangeStreamEventTests)));
        await own.GetCollection<BsonDocument>("first").InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        await own.GetCollection<BsonDocument>("second").InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        using var stream = await own.WatchAsync(Quick, Token);

        await fixture.Client.DropDatabaseAsync(own.DatabaseNamespace.DatabaseName, Token);
        var changes = await stream.ReadAsync(4, Token);

        Assert.Equal(4, changes.Count);
        Assert.All(changes.Take(2), c => Assert.Equal(ChangeStreamOperationType.Drop, c.OperationType));
        Assert.Equal(["first", "second"], changes.Take(2).Select(c => c.CollectionNamespace.CollectionName).Order(StringComparer.Ordinal));
        Assert.Equal(ChangeStreamOperationType.DropDatabase, changes[2].OperationType);
        Assert.Equal(new BsonDocument("db", own.DatabaseNamespace.DatabaseName), changes[2].BackingDocument["ns"]);
        Assert.Equal(ChangeStreamOperationType.Invalidate, changes[3].OperationType);
        Assert.True(await stream.IsClosedAsync(Token));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/invalidate/: a collection stream sees its
    // collection's drop when the database is dropped, and is invalidated by it.
    [Fact]
    public async Task Dropping_the_database_of_a_watched_collection_gives_a_drop_then_an_invalidate()
    {
        var own = fixture.Client.GetDatabase(MongoFixture.DatabaseNameFor(typeof(ChangeStreamEventTests)));
        var collection = own.GetCollection<BsonDocument>("watched");
        await collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        using var stream = await collection.WatchAsync(Quick, Token);

        await fixture.Client.DropDatabaseAsync(own.DatabaseNamespace.DatabaseName, Token);
        var changes = await stream.ReadAsync(2, Token);

        Assert.Equal([ChangeStreamOperationType.Drop, ChangeStreamOperationType.Invalidate], changes.Select(c => c.OperationType));
        Assert.True(await stream.IsClosedAsync(Token));
    }

    // https://www.mongodb.com/docs/manual/changeStreams/#watch-a-collection--database--or-deployment
    [Fact]
    public async Task A_database_stream_sees_every_collection_of_its_database_and_nothing_of_another()
    {
        var other = fixture.CreateDatabase(typeof(ChangeStreamEventTests));
        using var stream = await database.WatchAsync(Quick, Token);

        await database.GetCollection<BsonDocument>("one").InsertOneAsync(new BsonDocument("_id", "one"), cancellationToken: Token);
        await other.GetCollection<BsonDocument>("one").InsertOneAsync(new BsonDocument("_id", "elsewhere"), cancellationToken: Token);
        await database.GetCollection<BsonDocument>("two").InsertOneAsync(new BsonDocument("_id", "two"), cancellationToken: Token);
        var changes = await stream.ReadAsync(2, Token);
        await database.GetCollection<BsonDocument>("one").InsertOneAsync(new BsonDocument("_id", "last"), cancellationToken: Token);
        changes.AddRange(await stream.ReadAsync(1, Token));

        Assert.Equal(["one", "two", "last"], changes.Select(c => c.DocumentKey["_id"].AsString));
        Assert.Equal(["one", "two", "one"], changes.Select(c => c.CollectionNamespace.CollectionName));
    }

    // https://www.mongodb.com/docs/manual/changeStreams/#watch-a-collection--database--or-deployment: a deployment
    // stream sees every database and is not invalidated by a dropDatabase (.../invalidate/).
    [Fact]
    public async Task A_deployment_stream_sees_several_databases_and_survives_a_dropDatabase()
    {
        var first = fixture.CreateDatabase(typeof(ChangeStreamEventTests));
        var second = fixture.CreateDatabase(typeof(ChangeStreamEventTests));
        var ours = new BsonArray { first.DatabaseNamespace.DatabaseName, second.DatabaseNamespace.DatabaseName };
        var pipeline = new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>()
            .Match(new BsonDocument("ns.db", new BsonDocument("$in", ours)));
        using var stream = await fixture.Client.WatchAsync(pipeline, Quick, Token);

        await first.GetCollection<BsonDocument>("c").InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        await second.GetCollection<BsonDocument>("c").InsertOneAsync(new BsonDocument("_id", 2), cancellationToken: Token);
        await fixture.Client.DropDatabaseAsync(first.DatabaseNamespace.DatabaseName, Token);
        await second.GetCollection<BsonDocument>("c").InsertOneAsync(new BsonDocument("_id", 3), cancellationToken: Token);
        var changes = await stream.ReadAsync(5, Token);

        Assert.Equal(
            [ChangeStreamOperationType.Insert, ChangeStreamOperationType.Insert, ChangeStreamOperationType.Drop, ChangeStreamOperationType.DropDatabase, ChangeStreamOperationType.Insert],
            changes.Select(c => c.OperationType));
        Assert.Equal(ours, new BsonArray(changes.Take(2).Select(c => c.DatabaseNamespace.DatabaseName)));
        Assert.Equal(3, changes[4].DocumentKey["_id"].AsInt32);
    }

    // https://www.mongodb.com/docs/manual/changeStreams/#lookup-full-document-for-update-operations: the document as
    // it is when the event is read, or null when it is gone.
    [Fact]
    public async Task UpdateLookup_adds_the_current_document_to_update_events_or_null_when_it_was_deleted()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        await collection.InsertManyAsync([new BsonDocument { { "_id", 1 }, { "n", 0 } }, new BsonDocument { { "_id", 2 }, { "n", 0 } }], cancellationToken: Token);
        var options = new ChangeStreamOptions { FullDocument = ChangeStreamFullDocumentOption.UpdateLookup, MaxAwaitTime = TimeSpan.FromMilliseconds(200) };
        var pipeline = new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>().Match(new BsonDocument("operationType", "update"));
        using var stream = await collection.WatchAsync(pipeline, options, Token);

        await collection.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument("$inc", new BsonDocument("n", 1)), cancellationToken: Token);
        await collection.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument("$set", new BsonDocument("tag", "x")), cancellationToken: Token);
        await collection.UpdateOneAsync(new BsonDocument("_id", 2), new BsonDocument("$inc", new BsonDocument("n", 5)), cancellationToken: Token);
        await collection.DeleteOneAsync(new BsonDocument("_id", 2), Token);
        var changes = await stream.ReadAsync(3, Token);

        Assert.Equal(3, changes.Count);
        var current = new BsonDocument { { "_id", 1 }, { "n", 1 }, { "tag", "x" } };
        Assert.Equal(current, changes[0].FullDocument);
        Assert.Equal(new BsonDocument("n", 1), changes[0].UpdateDescription.UpdatedFields);
        Assert.Equal(current, changes[1].FullDocument);
        Assert.True(changes[2].BackingDocument.Contains("fullDocument"));
        Assert.Equal(BsonNull.Value, changes[2].BackingDocument["fullDocument"]);
    }

    // https://www.mongodb.com/docs/manual/changeStreams/#modify-change-stream-output
    [Fact]
    public async Task A_match_stage_after_changeStream_keeps_only_the_matching_events()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        var pipeline = new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>().Match(new BsonDocument
        {
            { "operationType", "insert" },
            { "fullDocument.keep", true },
        });
        using var stream = await collection.WatchAsync(pipeline, Quick, Token);

        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "keep", false } }, cancellationToken: Token);
        await collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "keep", true } }, cancellationToken: Token);
        await collection.UpdateOneAsync(new BsonDocument("_id", 2), new BsonDocument("$set", new BsonDocument("keep", true)), cancellationToken: Token);
        await collection.DeleteOneAsync(new BsonDocument("_id", 1), Token);
        await collection.InsertOneAsync(new BsonDocument { { "_id", 3 }, { "keep", true } }, cancellationToken: Token);
        var changes = await stream.ReadAsync(2, Token);
        var more = await stream.ReadAsync(1, Token, TimeSpan.FromSeconds(1));

        Assert.Equal([2, 3], changes.Select(c => c.DocumentKey["_id"].AsInt32));
        Assert.Empty(more);
    }
}
