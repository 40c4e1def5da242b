using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Versions;

// The release the server presents (MongoTestServerOptions.ServerVersion): what hello and buildInfo report, and the
// operators, stages and accumulators that release knows. MongoDB's parsers answer a name they do not have with 168
// "Unrecognized expression" (expression.cpp), 40324 "Unrecognized pipeline stage name" and 15952 "unknown group
// operator"; each gated name is "New in version ..." on its page of the manual.
public sealed class ServerVersionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Task<List<BsonDocument>> AggregateAsync(IMongoCollection<BsonDocument> collection, string stage) =>
        collection.Aggregate<BsonDocument>(new[] { BsonDocument.Parse(stage) }, cancellationToken: Token).ToListAsync(Token);

    [Theory]
    [InlineData("4.4.29", 9)]
    [InlineData("5.0.0", 13)]
    [InlineData("6.0.14", 17)]
    [InlineData("7.0.0", 21)]
    [InlineData("8.0.4", 25)]
    public async Task Hello_and_buildInfo_report_the_wire_version_and_version_of_the_presented_release(string version, int wireVersion)
    {
        await using var server = await OwnServer.StartAsync(version);

        var hello = await server.AdminAsync("{ hello: 1 }");
        var buildInfo = await server.AdminAsync("{ buildInfo: 1 }");

        var parts = version.Split('.').Select(int.Parse).ToArray();
        Assert.Equal(wireVersion, hello["maxWireVersion"].AsInt32);
        Assert.Equal(version, buildInfo["version"].AsString);
        Assert.Equal(new BsonArray { parts[0], parts[1], parts[2], 0 }, buildInfo["versionArray"]);
    }

    [Fact]
    public async Task The_driver_sees_the_presented_wire_version_in_its_cluster_description()
    {
        await using var server = await OwnServer.StartAsync("4.4.29");

        await server.RunAsync("{ ping: 1 }");

        Assert.Contains(server.Client.Cluster.Description.Servers, s => s.MaxWireVersion == 9);
    }

    [Theory]
    [InlineData("4.2.0")]
    [InlineData("3.6.23")]
    [InlineData("9.9.0")]
    [InlineData("seven")]
    public async Task A_release_the_server_cannot_present_is_refused_before_it_listens(string version)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MongoTestServer.StartAsync(new MongoTestServerOptions { ServerVersion = version }, Token));

        Assert.Contains(version, error.Message);
    }

    [Theory]
    [InlineData("{ $getField: 'a' }")]
    [InlineData("{ $setField: { field: 'b', input: '$$ROOT', value: 1 } }")]
    [InlineData("{ $unsetField: { field: 'a', input: '$$ROOT' } }")]
    public async Task On_4_4_the_5_0_object_operators_are_unrecognized_expressions(string expression)
    {
        await using var server = await OwnServer.StartAsync("4.4.29");
        var collection = await server.CollectionAsync(new BsonDocument { { "_id", 1 }, { "a", 1 } });
        var name = BsonDocument.Parse(expression).GetElement(0).Name;

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => AggregateAsync(collection, $"{{ $project: {{ v: {expression} }} }}"));
        var update = await Assert.ThrowsAsync<MongoCommandException>(() => collection.FindOneAndUpdateAsync(
            new BsonDocument("_id", 1),
            new PipelineUpdateDefinition<BsonDocument>(new[] { BsonDocument.Parse($"{{ $set: {{ v: {expression} }} }}") }),
            cancellationToken: Token));

        Assert.Equal(168, error.Code);
        Assert.Equal("InvalidPipelineOperator", error.CodeName);
        Assert.Equal($"Unrecognized expression '{name}'", error.ErrorMessage);
        Assert.Equal(168, update.Code);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "a", 1 } }, await collection.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync(Token));
    }

    [Fact]
    public async Task On_5_0_getField_works_and_on_4_4_the_4_4_operators_first_and_last_work()
    {
        await using var four = await OwnServer.StartAsync("4.4.0");
        await using var five = await OwnServer.StartAsync("5.0.0");
        var onFour = await four.CollectionAsync(new BsonDocument { { "_id", 1 }, { "a", new BsonArray { 1, 2, 3 } } });
        var onFive = await five.CollectionAsync(new BsonDocument { { "_id", 1 }, { "a", 7 } });

        var firstAndLast = Assert.Single(await AggregateAsync(onFour, "{ $project: { f: { $first: '$a' }, l: { $last: '$a' } } }"));
        var got = Assert.Single(await AggregateAsync(onFive, "{ $project: { v: { $getField: 'a' } } }"));

        Assert.Equal(new BsonDocument { { "_id", 1 }, { "f", 1 }, { "l", 3 } }, firstAndLast);
        Assert.Equal(7, got["v"].AsInt32);
    }

    [Fact]
    public async Task Stages_and_accumulators_newer_than_the_release_are_unknown_to_it()
    {
        await using var server = await OwnServer.StartAsync("4.4.29");
        var collection = await server.CollectionAsync();

        var stage = await Assert.ThrowsAsync<MongoCommandException>(() => AggregateAsync(collection, "{ $setWindowFields: { output: {} } }"));
        var accumulator = await Assert.ThrowsAsync<MongoCommandException>(() => AggregateAsync(collection, "{ $group: { _id: null, n: { $count: {} } } }"));

        Assert.Equal(40324, stage.Code);
        Assert.Equal("Unrecognized pipeline stage name: '$setWindowFields'", stage.ErrorMessage);
        Assert.Equal(15952, accumulator.Code);
        Assert.Equal("unknown group operator '$count'", accumulator.ErrorMessage);
    }
}
