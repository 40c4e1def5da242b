using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;
using PersistentTaskStatus.TestServer.Engine.Projection;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>$match, $project, $sort, $skip, $limit, $count: stages that delegate or only count.</summary>
internal static class SimpleStages
{
    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/match/
    public static PipelineStage Match(BsonValue spec)
    {
        var filter = QueryFilter.Parse(spec as BsonDocument
            ?? throw OperatorShapes.Error(15959, "the match filter must be an expression in an object"));
        return new StreamStage((input, context) => input.Where(document => filter.Matches(document, context)));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/project/
    public static PipelineStage Project(BsonValue spec)
    {
        var projection = ProjectionSpecification.Parse(
            spec as BsonDocument ?? throw OperatorShapes.Error(15969, "$project specification must be an object"),
            forAggregation: true);
        return new PerDocumentStage((document, context) => projection.Apply(document, null, context));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/sort/
    public static PipelineStage Sort(BsonValue spec)
    {
        var sort = SortSpecification.Parse(spec as BsonDocument
            ?? throw OperatorShapes.Error(15973, "the $sort key specification must be an object"));

        // OrderBy is stable, so documents that sort equal keep their input order.
        return new StreamStage((input, _) => input.OrderBy(document => document, sort));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/skip/
    public static PipelineStage Skip(BsonValue spec)
    {
        var count = NonNegativeInteger("$skip", spec);
        return new StreamStage((input, _) => input.Skip(count));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/limit/
    public static PipelineStage Limit(BsonValue spec)
    {
        var count = NonNegativeInteger("$limit", spec);
        if (count == 0)
        {
            throw OperatorShapes.Error(15958, "the limit must be positive");
        }

        return new StreamStage((input, _) => input.Take(count));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/count/
    public static PipelineStage Count(BsonValue spec)
    {
        if (spec is not BsonString { Value: var field })
        {
            throw OperatorShapes.Error(40156, "the count field must be a non-empty string");
        }

        if (field.Length == 0)
        {
            throw OperatorShapes.Error(40157, "the count field must be a non-empty string");
        }

        if (field.StartsWith('$'))
        {
            throw OperatorShapes.Error(40158, "the count field cannot be a $-prefixed path");
        }

        if (field.Contains('.', StringComparison.Ordinal))
        {
            throw OperatorShapes.Error(40160, "the count field cannot contain '.'");
        }

        // $count is $group { _id: null, <field>: { $sum: 1 } } and so outputs nothing for no input.
        return new StreamStage((input, _) =>
        {
            var count = input.Count();
            return count == 0 ? [] : [new BsonDocument(field, Numbers.Integral(count, bothInt32: true))];
        });
    }

    private static int NonNegativeInteger(string stage, BsonValue spec)
    {
        if (!BsonOrder.IsNumber(spec))
        {
            throw OperatorShapes.Error(15957, $"the {stage[1..]} must be specified as a number");
        }

        var d = BsonOrder.ToDouble(spec);
        if (d != Math.Floor(d) || double.IsNaN(d))
        {
            throw OperatorShapes.Error(5107200, $"invalid argument to {stage} stage: Expected an integer: {stage}: {Values.Render(spec)}");
        }

        if (d < 0)
        {
            throw OperatorShapes.Error(5107201, $"invalid argument to {stage} stage: Expected a non-negative number in: {stage}: {Values.Render(spec)}");
        }

        return d >= int.MaxValue ? int.MaxValue : (int)d;
    }
}

/// <summary>A stage that works on the whole stream.</summary>
internal sealed class StreamStage(Func<IEnumerable<BsonDocument>, ExpressionContext, IEnumerable<BsonDocument>> execute) : PipelineStage
{
    public override IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, ExpressionContext context) => execute(input, context);
}
