using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>One parsed stage of a pipeline: a transformation of a stream of documents.</summary>
internal abstract class PipelineStage
{
    public abstract IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, ExpressionContext context);
}

/// <summary>A stage that maps each document to one output document.</summary>
internal sealed class PerDocumentStage(Func<BsonDocument, ExpressionContext, BsonDocument> transform) : PipelineStage
{
    public override IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, ExpressionContext context) =>
        input.Select(document => transform(document, context));
}
