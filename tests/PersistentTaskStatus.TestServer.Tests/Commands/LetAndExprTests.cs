using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// `let` at the command level and `$expr` in filters: https://www.mongodb.com/docs/manual/reference/operator/query/expr/,
// https://www.mongodb.com/docs/manual/reference/command/find/ (let), .../command/update/ (let, pipeline updates),
// .../command/aggregate/ (let), .../command/delete/ (let), .../command/findAndModify/ (let) and
// https://www.mongodb.com/docs/manual/reference/aggregation-variables/ ($$NOW: the same value for the whole command).
public sealed class LetAndExprTests(MongoFixture fixture)
{
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(LetAndExprTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<IMongoCollection<BsonDocument>> SeedAsync(int count = 10)
    {
        var collection = database.GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);
        await collection.InsertManyAsync(
            Enumerable.Range(0, count).Select(i => new BsonDocument { { "_id", i }, { "v", i }, { "w", 10 - i } }),
            cancellationToken: Token);
        return collection;
    }

    private static async Task<List<int>> IdsAsync(IMongoCollection<BsonDocument> collection, BsonDocument filter) =>
        (await collection.Find(filter).Sort(new BsonDocument("_id", 1)).ToListAsync(Token)).Select(d => d["_id"].AsInt32).ToList();

    [Fact]
    public async Task Find_with_let_compares_a_field_to_a_variable_in_expr()
    {
        var collection = await SeedAsync();

        var found = await collection
            .Find(new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$v", "$$target" })), new FindOptions { Let = new BsonDocument("target", 3) })
            .ToListAsync(Token);

        Assert.Equal([3], found.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task Expr_compares_two_fields_of_the_same_document_with_a_variable_offset()
    {
        var collection = await SeedAsync();
        var filter = new BsonDocument("$expr", new BsonDocument("$gt", new BsonArray { new BsonDocument("$add", new BsonArray { "$v", "$$offset" }), "$w" }));

        var found = await collection.Find(filter, new FindOptions { Let = new BsonDocument("offset", 2) }).Sort(new BsonDocument("_id", 1)).ToListAsync(Token);

        // v + 2 > 10 - v  <=>  v > 4
        Assert.Equal([5, 6, 7, 8, 9], found.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task A_pipeline_updateMany_sets_the_same_NOW_on_every_document()
    {
        var collection = await SeedAsync(40);
        var before = DateTime.UtcNow.AddSeconds(-1);

        var result = await collection.UpdateManyAsync(
            FilterDefinition<BsonDocument>.Empty,
            new BsonDocumentStagePipelineDefinition<BsonDocument, BsonDocument>([new BsonDocument("$set", new BsonDocument("at", "$$NOW"))]),
            cancellationToken: Token);
        var after = DateTime.UtcNow.AddSeconds(1);
        var stamps = (await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token)).Select(d => d["at"]).ToList();

        Assert.Equal(40, result.ModifiedCount);
        Assert.Equal(40, stamps.Count);
        Assert.All(stamps, s => Assert.Equal(BsonType.DateTime, s.BsonType));
        Assert.Single(stamps.Distinct());
        Assert.InRange(stamps[0].ToUniversalTime(), before, after);
    }

    [Fact]
    public async Task An_update_with_let_uses_the_variables_in_its_filter_and_its_pipeline()
    {
        var collection = await SeedAsync();

        var result = await collection.UpdateManyAsync(
            new BsonDocument("$expr", new BsonDocument("$lt", new BsonArray { "$v", "$$limit" })),
            new BsonDocumentStagePipelineDefinition<BsonDocument, BsonDocument>([new BsonDocument("$set", new BsonDocument("tag", "$$label"))]),
            new UpdateOptions { Let = new BsonDocument { { "limit", 3 }, { "label", "small" } } },
            Token);

        Assert.Equal(3, result.ModifiedCount);
        Assert.Equal([0, 1, 2], await IdsAsync(collection, new BsonDocument("tag", "small")));
    }

    [Fact]
    public async Task Aggregate_with_let_uses_the_variables_in_match_and_project()
    {
        var collection = await SeedAsync();
        var pipeline = new BsonDocumentStagePipelineDefinition<BsonDocument, BsonDocument>(
        [
            new BsonDocument("$match", new BsonDocument("$expr", new BsonDocument("$gte", new BsonArray { "$v", "$$min" }))),
            new BsonDocument("$project", new BsonDocument("scaled", new BsonDocument("$multiply", new BsonArray { "$v", "$$factor" }))),
            new BsonDocument("$sort", new BsonDocument("_id", 1)),
        ]);

        var results = await (await collection.AggregateAsync(pipeline, new AggregateOptions { Let = new BsonDocument { { "min", 7 }, { "factor", 10 } } }, Token)).ToListAsync(Token);

        Assert.Equal(
            [new BsonDocument { { "_id", 7 }, { "scaled", 70 } }, new BsonDocument { { "_id", 8 }, { "scaled", 80 } }, new BsonDocument { { "_id", 9 }, { "scaled", 90 } }],
            results);
    }

    [Fact]
    public async Task A_delete_with_let_removes_the_documents_its_expr_selects()
    {
        var collection = await SeedAsync();

        var result = await collection.DeleteManyAsync(
            new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { new BsonDocument("$mod", new BsonArray { "$v", "$$m" }), 0 })),
            new DeleteOptions { Let = new BsonDocument("m", 3) },
            Token);

        Assert.Equal(4, result.DeletedCount);
        Assert.Equal([1, 2, 4, 5, 7, 8], await IdsAsync(collection, []));
    }

    [Fact]
    public async Task FindAndModify_with_let_uses_the_variables_in_its_query_and_pipeline_update()
    {
        var collection = await SeedAsync();

        var updated = await collection.FindOneAndUpdateAsync(
            new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$w", "$$w" })),
            new BsonDocumentStagePipelineDefinition<BsonDocument, BsonDocument>([new BsonDocument("$set", new BsonDocument("v", new BsonDocument("$add", new BsonArray { "$v", "$$step" })))]),
            new FindOneAndUpdateOptions<BsonDocument> { Let = new BsonDocument { { "w", 4 }, { "step", 100 } }, ReturnDocument = ReturnDocument.After },
            Token);

        Assert.Equal(new BsonDocument { { "_id", 6 }, { "v", 106 }, { "w", 4 } }, updated);
    }

    // https://www.mongodb.com/docs/manual/reference/aggregation-variables/: a variable that is not defined is an error.
    [Fact]
    public async Task An_undefined_variable_in_expr_is_an_error()
    {
        var collection = await SeedAsync();

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => collection
            .Find(new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$v", "$$nowhere" })), new FindOptions { Let = new BsonDocument("target", 3) })
            .ToListAsync(Token));

        Assert.Equal(17276, error.Code);
    }

    // https://www.mongodb.com/docs/manual/reference/command/find/#std-label-find-let-syntax: a let value may be an
    // expression (that does not refer to document fields); it is evaluated once for the command.
    [Fact]
    public async Task A_let_value_may_be_an_expression()
    {
        var collection = await SeedAsync();

        var found = await collection
            .Find(new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$v", "$$target" })),
                new FindOptions { Let = new BsonDocument("target", new BsonDocument("$add", new BsonArray { 2, 3 })) })
            .ToListAsync(Token);

        Assert.Equal([5], found.Select(d => d["_id"].AsInt32));
    }

    // https://www.mongodb.com/docs/manual/reference/aggregation-variables/#mongodb-variable-variable.NOW
    [Fact]
    public async Task Expr_compares_a_date_field_with_NOW()
    {
        var collection = database.GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);
        await collection.InsertManyAsync(
        [
            new BsonDocument { { "_id", "past" }, { "due", DateTime.UtcNow.AddMinutes(-5) } },
            new BsonDocument { { "_id", "future" }, { "due", DateTime.UtcNow.AddMinutes(5) } },
        ], cancellationToken: Token);

        var due = await collection.Find(new BsonDocument("$expr", new BsonDocument("$lt", new BsonArray { "$due", "$$NOW" }))).ToListAsync(Token);

        Assert.Equal(["past"], due.Select(d => d["_id"].AsString));
    }

    // https://www.mongodb.com/docs/manual/reference/command/update/#std-label-update-let-syntax: $expr is needed to use
    // a variable in the query; the same variable can be used in a classic (non-pipeline) update's filter.
    [Fact]
    public async Task A_classic_update_with_let_uses_the_variables_in_its_filter()
    {
        var collection = await SeedAsync();

        var result = await collection.UpdateOneAsync(
            new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$v", "$$pick" })),
            new BsonDocument("$set", new BsonDocument("picked", true)),
            new UpdateOptions { Let = new BsonDocument("pick", 8) },
            Token);

        Assert.Equal(1, result.ModifiedCount);
        Assert.Equal([8], await IdsAsync(collection, new BsonDocument("picked", true)));
    }

    // https://www.mongodb.com/docs/manual/reference/aggregation-variables/#user-variables: a user variable name starts
    // with a lowercase ASCII letter (or a non-ASCII character) and holds only letters, digits and '_'.
    [Theory]
    [InlineData("Target")]
    [InlineData("_target")]
    [InlineData("tar-get")]
    public async Task A_let_variable_with_an_invalid_name_is_refused(string name)
    {
        var collection = await SeedAsync();

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => collection
            .Find(new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$v", "$$" + name })), new FindOptions { Let = new BsonDocument(name, 3) })
            .ToListAsync(Token));

        Assert.Contains("let", error.Message, StringComparison.Ordinal);
    }

    // https://www.mongodb.com/docs/manual/reference/command/find/#std-label-find-let-syntax: a let expression cannot
    // refer to document fields (it is evaluated before any document is read).
    [Theory]
    [InlineData("\"$v\"")]
    [InlineData("{ $add: ['$v', 1] }")]
    [InlineData("\"$$ROOT\"")]
    public async Task A_let_value_that_reads_a_document_field_is_refused(string value)
    {
        var collection = await SeedAsync();
        var let = BsonDocument.Parse("{ x: " + value + " }");

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => collection
            .Find(new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$v", "$$x" })), new FindOptions { Let = let })
            .ToListAsync(Token));

        Assert.Equal(4890500, error.Code);
    }

    // https://www.mongodb.com/docs/manual/reference/command/find/#std-label-find-let-syntax ($literal keeps a string
    // that starts with '$' as it is)
    [Fact]
    public async Task A_literal_dollar_string_in_let_is_a_plain_value()
    {
        var collection = database.GetCollection<BsonDocument>("c_" + Guid.NewGuid().ToString("N")[..12]);
        await collection.InsertManyAsync([new BsonDocument { { "_id", 1 }, { "price", "$5" } }, new BsonDocument { { "_id", 2 }, { "price", "$6" } }], cancellationToken: Token);

        var found = await collection
            .Find(new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$price", "$$p" })), new FindOptions { Let = new BsonDocument("p", new BsonDocument("$literal", "$5")) })
            .ToListAsync(Token);

        Assert.Equal([1], found.Select(d => d["_id"].AsInt32));
    }
}
