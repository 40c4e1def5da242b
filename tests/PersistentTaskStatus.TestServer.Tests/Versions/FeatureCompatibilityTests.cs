using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Versions;

// featureCompatibilityVersion (https://www.mongodb.com/docs/manual/reference/command/setFeatureCompatibilityVersion/):
// a release starts at its own and can be set to the last long-term-support release's. Below 5.0 MongoDB's storage
// validation refuses a '$'-prefixed field name at any depth of an updated document (storage_validation.cpp, code 52);
// from 5.0 only at the top level. It does not gate expressions in ordinary commands (only in persisted definitions).
public sealed class FeatureCompatibilityTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Task<BsonDocument> SetAsync(IMongoCollection<BsonDocument> collection, string set) =>
        collection.FindOneAndUpdateAsync(
            new BsonDocument("_id", 1),
            new PipelineUpdateDefinition<BsonDocument>(new[] { BsonDocument.Parse($"{{ $set: {set} }}") }),
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After },
            Token);

    private static Task<BsonDocument> SetLiteralAsync(IMongoCollection<BsonDocument> collection, string literal) =>
        SetAsync(collection, $"{{ data: {{ $literal: {literal} }} }}");

    [Fact]
    public async Task A_release_starts_at_its_own_feature_compatibility_version_and_can_step_back_one_release()
    {
        await using var server = await OwnServer.StartAsync("5.0.3");

        var initial = await server.AdminAsync("{ getParameter: 1, featureCompatibilityVersion: 1 }");
        await server.AdminAsync("{ setFeatureCompatibilityVersion: '4.4' }");
        var lowered = await server.AdminAsync("{ getParameter: 1, featureCompatibilityVersion: 1 }");
        var tooOld = await Assert.ThrowsAsync<MongoCommandException>(() => server.AdminAsync("{ setFeatureCompatibilityVersion: '4.2' }"));
        var confirm = await Assert.ThrowsAsync<MongoCommandException>(() => server.AdminAsync("{ setFeatureCompatibilityVersion: '5.0', confirm: true }"));
        var notAdmin = await Assert.ThrowsAsync<MongoCommandException>(() => server.RunAsync("{ setFeatureCompatibilityVersion: '5.0' }"));

        Assert.Equal("5.0", initial["featureCompatibilityVersion"]["version"].AsString);
        Assert.Equal("4.4", lowered["featureCompatibilityVersion"]["version"].AsString);
        Assert.Equal(2, tooOld.Code);
        Assert.Equal(40415, confirm.Code);
        Assert.Equal("BSON field 'setFeatureCompatibilityVersion.confirm' is an unknown field.", confirm.ErrorMessage);
        Assert.Equal(13, notAdmin.Code);
    }

    [Fact]
    public async Task From_7_0_changing_the_feature_compatibility_version_needs_confirm()
    {
        await using var server = await OwnServer.StartAsync("7.0.0");

        var unconfirmed = await Assert.ThrowsAsync<MongoCommandException>(() => server.AdminAsync("{ setFeatureCompatibilityVersion: '6.0' }"));
        await server.AdminAsync("{ setFeatureCompatibilityVersion: '6.0', confirm: true }");
        var lowered = await server.AdminAsync("{ getParameter: 1, featureCompatibilityVersion: 1 }");

        Assert.Equal(7369100, unconfirmed.Code);
        Assert.StartsWith("Once you have downgraded the FCV", unconfirmed.ErrorMessage);
        Assert.Equal("6.0", lowered["featureCompatibilityVersion"]["version"].AsString);
    }

    [Fact]
    public async Task Below_5_0_an_update_storing_a_nested_dollar_field_fails_with_52_and_writes_nothing()
    {
        await using var server = await OwnServer.StartAsync("5.0.0", featureCompatibility: "4.4");
        var collection = await server.CollectionAsync(new BsonDocument("_id", 1));

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => SetLiteralAsync(collection, "{ tasks: [ { data: { '$in': 1 } } ] }"));
        var stored = await collection.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync(Token);

        Assert.Equal(52, error.Code);
        Assert.Equal("DollarPrefixedFieldName", error.CodeName);
        Assert.Equal("The dollar ($) prefixed field '$in' in 'data.tasks.0.data.$in' is not valid for storage.", error.ErrorMessage);
        Assert.Equal(new BsonDocument("_id", 1), stored);
    }

    [Fact]
    public async Task Below_5_0_dotted_names_and_DBRefs_are_still_stored_and_getField_still_runs()
    {
        await using var server = await OwnServer.StartAsync("5.0.0", featureCompatibility: "4.4");
        var collection = await server.CollectionAsync(new BsonDocument("_id", 1));

        var dotted = await SetLiteralAsync(collection, "{ 'a.b': 1, ref: { $ref: 'c', $id: 2, $db: 'test' } }");
        var read = await SetAsync(collection, "{ copy: { $getField: { field: 'a.b', input: '$data' } } }");

        Assert.Equal(1, dotted["data"]["a.b"].AsInt32);
        Assert.Equal(1, read["copy"].AsInt32);
    }

    [Fact]
    public async Task At_5_0_a_nested_dollar_field_written_through_literal_is_stored()
    {
        await using var server = await OwnServer.StartAsync("5.0.0");
        var collection = await server.CollectionAsync(new BsonDocument("_id", 1));

        var updated = await SetLiteralAsync(collection, "{ '$in': 1 }");

        Assert.Equal(1, updated["data"]["$in"].AsInt32);
    }
}
