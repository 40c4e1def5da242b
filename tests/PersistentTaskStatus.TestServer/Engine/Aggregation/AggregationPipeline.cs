using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>
/// A parsed aggregation pipeline of the stages that work on the documents they are given
/// (https://www.mongodb.com/docs/manual/reference/operator/aggregation-pipeline/). Stages that read other
/// collections or the change log are the command layer's.
/// </summary>
public sealed class AggregationPipeline
{
    private AggregationPipeline()
    {
    }

    /// <summary>
    /// Parses and validates the stages. With <paramref name="forUpdate"/> only the stages that an update may use are
    /// accepted (<c>$addFields</c>/<c>$set</c>, <c>$project</c>/<c>$unset</c>, <c>$replaceRoot</c>/<c>$replaceWith</c>).
    /// </summary>
    public static AggregationPipeline Parse(BsonArray stages, bool forUpdate) =>
        throw MongoServerException.NotSupported("Aggregation pipelines");

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, ExpressionContext context) =>
        throw MongoServerException.NotSupported("Aggregation pipelines");
}
