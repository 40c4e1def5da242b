using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// Documents holding NaN, through the driver: MongoDB stores a double bit for bit and compares NaN as equal to NaN and
// below every other number (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/; the rules in
// detail, with the server's sources, are in Engine/NaNSemanticsTests.cs).
public sealed class NaNDocumentTests(MongoFixture fixture)
{
    // A quiet NaN with a payload, positive: not the value .NET's double.NaN has, so a server that re-creates the
    // value instead of keeping its bytes is caught.
    private const long PayloadNaNBits = 0x7FF8_0000_0000_0123;

    private static readonly ChangeStreamOptions Quick = new() { MaxAwaitTime = TimeSpan.FromMilliseconds(200) };

    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(NaNDocumentTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static double PayloadNaN => BitConverter.Int64BitsToDouble(PayloadNaNBits);

    [Fact]
    public async Task An_update_of_a_document_holding_NaN_is_applied_and_keeps_the_NaN_bit_for_bit()
    {
        var collection = await CollectionWithAsync(new BsonDocument { { "_id", 1 }, { "ratio", PayloadNaN }, { "n", 1 } });

        var result = await collection.UpdateOneAsync(
            new BsonDocument("_id", 1), new BsonDocument("$set", new BsonDocument("n", 2)), cancellationToken: Token);

        Assert.Equal(1, result.ModifiedCount);
        var stored = await collection.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync(Token);
        Assert.Equal(2, stored["n"].AsInt32);
        Assert.Equal(PayloadNaNBits, BitConverter.DoubleToInt64Bits(stored["ratio"].AsDouble));
    }

    [Fact]
    public async Task FindAndModify_replace_and_delete_of_documents_holding_NaN_change_what_the_collection_holds()
    {
        var collection = await CollectionWithAsync(
            new BsonDocument { { "_id", 1 }, { "ratio", double.NaN } },
            new BsonDocument { { "_id", 2 }, { "ratio", new BsonDecimal128(Decimal128.QNaN) } },
            new BsonDocument { { "_id", 3 }, { "ratio", double.NaN } });

        var modified = await collection.FindOneAndUpdateAsync(
            new BsonDocument("_id", 1),
            new BsonDocument("$inc", new BsonDocument("attempts", 1)),
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After },
            Token);
        var replaced = await collection.ReplaceOneAsync(
            new BsonDocument("_id", 2), new BsonDocument { { "_id", 2 }, { "ratio", 0.5 } }, cancellationToken: Token);
        var deleted = await collection.DeleteOneAsync(new BsonDocument("_id", 3), Token);

        Assert.Equal(1, modified["attempts"].AsInt32);
        Assert.Equal(1, replaced.ModifiedCount);
        Assert.Equal(1, deleted.DeletedCount);
        var stored = await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("_id", 1)).ToListAsync(Token);
        Assert.Equal([1, 2], stored.Select(d => d["_id"].AsInt32));
        Assert.True(double.IsNaN(stored[0]["ratio"].AsDouble));
        Assert.Equal(1, stored[0]["attempts"].AsInt32);
        Assert.Equal(0.5, stored[1]["ratio"].AsDouble);
    }

    [Fact]
    public async Task Writing_the_same_NaN_again_matches_without_modifying_while_inc_of_NaN_modifies()
    {
        var collection = await CollectionWithAsync(new BsonDocument { { "_id", 1 }, { "ratio", double.NaN } });

        var set = await collection.UpdateOneAsync(
            new BsonDocument("_id", 1), new BsonDocument("$set", new BsonDocument("ratio", double.NaN)), cancellationToken: Token);
        var pipeline = await collection.UpdateOneAsync(
            new BsonDocument("_id", 1),
            new PipelineUpdateDefinition<BsonDocument>(new[] { BsonDocument.Parse("{ $set: { ratio: '$ratio' } }") }),
            cancellationToken: Token);
        var replace = await collection.ReplaceOneAsync(
            new BsonDocument("_id", 1), new BsonDocument { { "_id", 1 }, { "ratio", double.NaN } }, cancellationToken: Token);
        // SafeNum::isIdentical compares doubles with ==, and NaN == NaN is false: MongoDB counts this one modified.
        var inc = await collection.UpdateOneAsync(
            new BsonDocument("_id", 1), new BsonDocument("$inc", new BsonDocument("ratio", 1)), cancellationToken: Token);

        Assert.Equal((1, 0), (set.MatchedCount, set.ModifiedCount));
        Assert.Equal((1, 0), (pipeline.MatchedCount, pipeline.ModifiedCount));
        Assert.Equal((1, 0), (replace.MatchedCount, replace.ModifiedCount));
        Assert.Equal((1, 1), (inc.MatchedCount, inc.ModifiedCount));
        var stored = await collection.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync(Token);
        Assert.True(double.IsNaN(stored["ratio"].AsDouble));
    }

    [Fact]
    public async Task Queries_find_NaN_by_equality_and_in_but_not_by_ranges_and_sorts_put_it_below_every_number()
    {
        var collection = await CollectionWithAsync(
            new BsonDocument { { "_id", 1 }, { "x", 1 } },
            new BsonDocument { { "_id", 2 }, { "x", double.NaN } },
            new BsonDocument { { "_id", 3 }, { "x", double.NegativeInfinity } },
            new BsonDocument { { "_id", 4 }, { "x", new BsonDecimal128(Decimal128.QNaN) } },
            new BsonDocument { { "_id", 5 }, { "x", BsonNull.Value } });

        async Task<List<int>> Ids(string filter, string sort = "{ _id: 1 }") =>
            (await collection.Find(BsonDocument.Parse(filter)).Sort(BsonDocument.Parse(sort)).ToListAsync(Token))
            .Select(d => d["_id"].AsInt32).ToList();

        Assert.Equal([2, 4], await Ids("{ x: NaN }"));
        Assert.Equal([2, 4], await Ids("{ x: { $in: [NaN, 7] } }"));
        Assert.Equal([2, 4], await Ids("{ x: { $lte: NaN } }"));
        Assert.Equal([1], await Ids("{ x: { $gt: -Infinity } }"));
        Assert.Equal([3], await Ids("{ x: { $lt: 1 } }"));
        Assert.Equal([5, 2, 4, 3, 1], await Ids("{}", "{ x: 1, _id: 1 }"));
        Assert.Equal([1, 3, 2, 4, 5], await Ids("{}", "{ x: -1, _id: 1 }"));
    }

    [Fact]
    public async Task A_unique_index_takes_two_NaN_values_for_the_same_key()
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("x", 1), new CreateIndexOptions { Unique = true }),
            cancellationToken: Token);
        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "x", double.NaN } }, cancellationToken: Token);

        var sameDouble = await Assert.ThrowsAsync<MongoWriteException>(() =>
            collection.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "x", PayloadNaN } }, cancellationToken: Token));
        var decimalNaN = await Assert.ThrowsAsync<MongoWriteException>(() =>
            collection.InsertOneAsync(new BsonDocument { { "_id", 3 }, { "x", new BsonDecimal128(Decimal128.QNaN) } }, cancellationToken: Token));
        await collection.InsertOneAsync(new BsonDocument { { "_id", 4 }, { "x", 1 } }, cancellationToken: Token);
        var updatedToNaN = await Assert.ThrowsAsync<MongoWriteException>(() => collection.UpdateOneAsync(
            new BsonDocument("_id", 4), new BsonDocument("$set", new BsonDocument("x", double.NaN)), cancellationToken: Token));

        Assert.All([sameDouble, decimalNaN, updatedToNaN], e => Assert.Equal(ServerErrorCategory.DuplicateKey, e.WriteError.Category));
        var stored = await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("_id", 1)).ToListAsync(Token);
        Assert.Equal([1, 4], stored.Select(d => d["_id"].AsInt32));
        Assert.Equal(1, stored[1]["x"].AsInt32);
    }

    [Fact]
    public async Task Building_a_unique_index_over_two_NaN_values_fails_and_adds_no_index()
    {
        var collection = await CollectionWithAsync(
            new BsonDocument { { "_id", 1 }, { "x", double.NaN } },
            new BsonDocument { { "_id", 2 }, { "x", new BsonDecimal128(Decimal128.QNaN) } });

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("x", 1), new CreateIndexOptions { Unique = true }),
            cancellationToken: Token));

        Assert.Equal(11000, error.Code);
        var indexes = await (await collection.Indexes.ListAsync(Token)).ToListAsync(Token);
        Assert.Equal(["_id_"], indexes.Select(i => i["name"].AsString));
    }

    // https://www.mongodb.com/docs/manual/reference/change-events/update/#description: updatedFields holds the fields
    // the update changed; the server's diff compares bytes, so a NaN left as it was is not one of them.
    [Fact]
    public async Task A_change_event_lists_no_NaN_field_that_stayed_NaN()
    {
        var collection = await CollectionWithAsync(new BsonDocument
        {
            { "_id", 1 }, { "ratio", double.NaN }, { "nested", new BsonDocument("r", new BsonArray { double.NaN }) }, { "n", 1 },
        });
        using var stream = await collection.WatchAsync(Quick, Token);

        await collection.UpdateOneAsync(
            new BsonDocument("_id", 1), new BsonDocument("$set", new BsonDocument("n", 2)), cancellationToken: Token);
        await collection.UpdateOneAsync(
            new BsonDocument("_id", 1),
            new PipelineUpdateDefinition<BsonDocument>(new[] { BsonDocument.Parse("{ $set: { n: 3, ratio: '$ratio', nested: '$nested' } }") }),
            cancellationToken: Token);
        await collection.UpdateOneAsync(
            new BsonDocument("_id", 1), new BsonDocument("$set", new BsonDocument("ratio", 0.25)), cancellationToken: Token);
        var changes = await stream.ReadAsync(3, Token);

        Assert.Equal(3, changes.Count);
        Assert.Equal(new BsonDocument("n", 2), changes[0].UpdateDescription.UpdatedFields);
        Assert.Equal(new BsonDocument("n", 3), changes[1].UpdateDescription.UpdatedFields);
        Assert.Equal(new BsonDocument("ratio", 0.25), changes[2].UpdateDescription.UpdatedFields);
        Assert.All(changes, c => Assert.Empty(c.UpdateDescription.RemovedFields));
    }

    // MongoDB describes an operator update from its operators: $inc on NaN is a modification (NaN + 1 is not
    // identical to NaN for SafeNum::isIdentical), so its event lists the field, although the bytes did not change.
    [Fact]
    public async Task An_inc_of_a_NaN_field_gives_an_update_event_that_lists_the_field()
    {
        var collection = await CollectionWithAsync(new BsonDocument { { "_id", 1 }, { "ratio", double.NaN }, { "n", 1 } });
        using var stream = await collection.WatchAsync(Quick, Token);

        var result = await collection.UpdateOneAsync(
            new BsonDocument("_id", 1), new BsonDocument("$inc", new BsonDocument("ratio", 1)), cancellationToken: Token);
        var change = Assert.Single(await stream.ReadAsync(1, Token));

        Assert.Equal(1, result.ModifiedCount);
        Assert.Equal(["ratio"], change.UpdateDescription.UpdatedFields.Names);
        Assert.True(double.IsNaN(change.UpdateDescription.UpdatedFields["ratio"].AsDouble));
    }

    private async Task<IMongoCollection<BsonDocument>> CollectionWithAsync(params BsonDocument[] documents)
    {
        var collection = database.GetCollection<BsonDocument>(NewName());
        await collection.InsertManyAsync(documents, cancellationToken: Token);
        return collection;
    }

    private static string NewName() => "c_" + Guid.NewGuid().ToString("N")[..12];
}
