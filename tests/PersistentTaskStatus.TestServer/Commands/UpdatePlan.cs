using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Aggregation;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Updates;
using PersistentTaskStatus.TestServer.Engine.Upserts;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>
/// One update, parsed before any document is touched: update operators, a replacement document or an aggregation
/// pipeline (https://www.mongodb.com/docs/manual/reference/command/update/#update-statements).
/// </summary>
internal sealed class UpdatePlan
{
    private readonly UpdateSpecification? operators;
    private readonly BsonDocument? replacement;
    private readonly AggregationPipeline? pipeline;

    private UpdatePlan(UpdateSpecification? operators, BsonDocument? replacement, AggregationPipeline? pipeline)
    {
        this.operators = operators;
        this.replacement = replacement;
        this.pipeline = pipeline;
    }

    /// <summary>Whether the update replaces the whole document (a "replace" change event) rather than updating it.</summary>
    public bool IsReplacement => replacement is not null;

    public static UpdatePlan Create(BsonValue update, BsonArray? arrayFilters, bool multi)
    {
        switch (update)
        {
            case BsonArray stages:
                if (arrayFilters is not null)
                {
                    throw MongoServerException.FailedToParse("arrayFilters may not be specified for pipeline-style updates");
                }

                return new UpdatePlan(null, null, AggregationPipeline.Parse(stages, forUpdate: true));
            case BsonDocument document when document.ElementCount > 0 && document.GetElement(0).Name.StartsWith('$'):
                return new UpdatePlan(UpdateSpecification.Parse(document, arrayFilters), null, null);
            case BsonDocument document:
                if (multi)
                {
                    throw MongoServerException.FailedToParse("multi update is not supported for replacement-style update");
                }

                if (arrayFilters is not null)
                {
                    throw MongoServerException.FailedToParse("arrayFilters may not be specified for replacement-style updates");
                }

                foreach (var element in document)
                {
                    if (element.Name.StartsWith('$'))
                    {
                        throw MongoServerException.BadValue(
                            $"The dollar ($) prefixed field '{element.Name}' in '{element.Name}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.");
                    }
                }

                return new UpdatePlan(null, document, null);
            default:
                throw new MongoServerException(
                    ErrorCode.FailedToParse,
                    "Update argument must be either an object or an array");
        }
    }

    /// <summary>
    /// The updated copy of <paramref name="document"/> (the stored document is not touched) and whether the update
    /// modified it. Update operators say so themselves (an <c>$inc</c> on NaN is a modification although NaN + 1 is
    /// the same NaN, as SafeNum::isIdentical compares doubles with ==); a replacement or a pipeline modifies the
    /// document unless the result is binary-equal to it (ObjectReplaceExecutor::applyReplacementUpdate).
    /// </summary>
    public (BsonDocument Document, bool Modified, IReadOnlyList<string> RewrittenPaths) Apply(BsonDocument document, int? positionalIndex, ExpressionContext context)
    {
        var id = document.GetValue("_id", null);
        BsonDocument result;
        if (operators is not null)
        {
            result = document.DeepClone().AsBsonDocument;
            var update = new UpdateContext { Expressions = context, PositionalIndex = positionalIndex };
            var modified = operators.Apply(result, update);
            return (result, modified, update.RewrittenPaths);
        }

        if (replacement is not null)
        {
            result = replacement.DeepClone().AsBsonDocument;
        }
        else
        {
            // The pipeline's stages build new documents and never change their input: the stored one is safe.
            result = pipeline!.Execute([document], context).Single();
            if (ReferenceEquals(result, document))
            {
                // A pipeline without stages hands the stored document back: the _id handling below must not touch it.
                result = new BsonDocument(document);
            }
        }

        if (id is not null)
        {
            if (result.TryGetValue("_id", out var newId))
            {
                if (!newId.Equals(id))
                {
                    throw new MongoServerException(
                        ErrorCode.ImmutableField,
                        $"After applying the update, the (immutable) field '_id' was found to have been altered to _id: {newId.ToJson()}");
                }

                result.Remove("_id");
            }

            result.InsertAt(0, new BsonElement("_id", id));
        }

        return (result, !BsonIdentity.Same(result, document), []);
    }

    /// <summary>The new document of an upsert that matched nothing.</summary>
    public BsonDocument ApplyToUpsert(BsonDocument query, ExpressionContext context)
    {
        var seed = UpsertSeed.FromQuery(query);
        if (operators is not null)
        {
            operators.Apply(seed, new UpdateContext { Expressions = context, IsUpsertInsert = true });
            MoveIdFirst(seed);
            return seed;
        }

        BsonDocument result;
        if (replacement is not null)
        {
            result = replacement.DeepClone().AsBsonDocument;
            if (!result.Contains("_id") && seed.TryGetValue("_id", out var queryId))
            {
                result.InsertAt(0, new BsonElement("_id", queryId));
            }
        }
        else
        {
            result = pipeline!.Execute([seed], context).Single();
        }

        MoveIdFirst(result);
        return result;
    }

    private static void MoveIdFirst(BsonDocument document)
    {
        if (document.TryGetValue("_id", out var id) && document.IndexOfName("_id") != 0)
        {
            document.Remove("_id");
            document.InsertAt(0, new BsonElement("_id", id));
        }
    }
}
