using MongoDB.Bson.Serialization;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Updates;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Updates;

internal static class UpdateTestHelper
{
    public static readonly DateTime Now = new(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc);

    /// <summary>Applies <paramref name="update"/> to <paramref name="document"/> (both shell-style JSON).</summary>
    public static (BsonDocument Document, bool Changed) Apply(
        string document,
        string update,
        string? arrayFilters = null,
        int? positionalIndex = null,
        bool isUpsertInsert = false)
    {
        var filters = arrayFilters is null ? null : BsonSerializer.Deserialize<BsonArray>(arrayFilters);
        var specification = UpdateSpecification.Parse(BsonDocument.Parse(update), filters);
        var target = BsonDocument.Parse(document);
        var changed = specification.Apply(target, new UpdateContext
        {
            Expressions = new ExpressionContext(Now),
            PositionalIndex = positionalIndex,
            IsUpsertInsert = isUpsertInsert,
        });
        return (target, changed);
    }

    /// <summary>Asserts the result field by field, names, order and BSON types included.</summary>
    public static void AssertDocument(string expected, BsonDocument actual) =>
        Assert.Equal(BsonDocument.Parse(expected).ToJson(), actual.ToJson());

    public static MongoServerException Fails(string document, string update, string? arrayFilters = null, int? positionalIndex = null) =>
        Assert.Throws<MongoServerException>(() => Apply(document, update, arrayFilters, positionalIndex));

    public static MongoServerException FailsToParse(string update, string? arrayFilters = null) =>
        Assert.Throws<MongoServerException>(() => UpdateSpecification.Parse(
            BsonDocument.Parse(update),
            arrayFilters is null ? null : BsonSerializer.Deserialize<BsonArray>(arrayFilters)));
}
