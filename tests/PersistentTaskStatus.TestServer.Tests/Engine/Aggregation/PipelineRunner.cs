using MongoDB.Bson.IO;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Aggregation;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Aggregation;

/// <summary>Runs pipelines written in shell syntax over documents written the same way.</summary>
internal static class PipelineRunner
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson };

    public static List<BsonDocument> Run(string pipeline, params string[] documents) =>
        AggregationPipeline.Parse(Stages(pipeline), forUpdate: false)
            .Execute(documents.Select(BsonDocument.Parse), new ExpressionContext(new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc)))
            .ToList();

    public static BsonArray Stages(string pipeline) => BsonDocument.Parse("{ p: " + pipeline + " }")["p"].AsBsonArray;

    /// <summary>Asserts the documents, their field order and their value types.</summary>
    public static void Produces(string[] expected, List<BsonDocument> actual) =>
        Assert.Equal(
            expected.Select(e => BsonDocument.Parse(e).ToJson(Canonical)).ToList(),
            actual.Select(a => a.ToJson(Canonical)).ToList());

    public static MongoServerException Fails(int code, Action action)
    {
        var error = Assert.Throws<MongoServerException>(action);
        Assert.Equal(code, error.Code);
        return error;
    }
}
