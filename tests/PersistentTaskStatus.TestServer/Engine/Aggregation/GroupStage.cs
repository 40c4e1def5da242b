using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>
/// $group (https://www.mongodb.com/docs/manual/reference/operator/aggregation/group/): one output document per
/// distinct <c>_id</c> value (a missing <c>_id</c> groups as null), in the order the groups were first seen.
/// </summary>
internal static class GroupStage
{
    public static PipelineStage Parse(BsonValue spec)
    {
        if (spec is not BsonDocument document)
        {
            throw OperatorShapes.Error(15947, "a group's fields must be specified in an object");
        }

        CompiledExpression? key = null;
        var accumulators = new List<(string Field, string Operator, CompiledExpression Argument)>();
        foreach (var element in document)
        {
            if (element.Name == "_id")
            {
                key = ExpressionEvaluator.Parse(element.Value);
                continue;
            }

            if (element.Name.Contains('.', StringComparison.Ordinal))
            {
                throw OperatorShapes.Error(40235, $"The field name '{element.Name}' cannot contain '.'");
            }

            if (element.Name.StartsWith('$'))
            {
                throw OperatorShapes.Error(40236, $"The field name '{element.Name}' cannot be an operator name");
            }

            if (element.Value is not BsonDocument accumulator)
            {
                throw OperatorShapes.Error(40234, $"The field '{element.Name}' must be an accumulator object");
            }

            if (accumulator.ElementCount != 1)
            {
                throw OperatorShapes.Error(40238, $"The field '{element.Name}' must specify one accumulator");
            }

            var op = accumulator.GetElement(0);
            GroupAccumulators.Validate(op.Name, op.Value);
            accumulators.Add((element.Name, op.Name, ExpressionEvaluator.Parse(op.Value)));
        }

        if (key is null)
        {
            throw OperatorShapes.Error(15955, "a group specification must include an _id");
        }

        return new StreamStage((input, context) => Execute(input, context, key, accumulators));
    }

    private static IEnumerable<BsonDocument> Execute(
        IEnumerable<BsonDocument> input,
        ExpressionContext context,
        CompiledExpression key,
        List<(string Field, string Operator, CompiledExpression Argument)> accumulators)
    {
        var groups = new Dictionary<BsonValue, GroupAccumulators.Accumulator[]>(BsonOrder.Instance);
        var order = new List<BsonValue>();
        foreach (var document in input)
        {
            var groupKey = key.Evaluate(document, context) ?? BsonNull.Value;
            if (!groups.TryGetValue(groupKey, out var state))
            {
                state = accumulators.Select(a => GroupAccumulators.Create(a.Operator, a.Argument)).ToArray();
                groups.Add(groupKey, state);
                order.Add(groupKey);
            }

            for (var i = 0; i < accumulators.Count; i++)
            {
                state[i].Add(accumulators[i].Argument.Evaluate(document, context));
            }
        }

        foreach (var groupKey in order)
        {
            var output = new BsonDocument("_id", groupKey.DeepClone());
            var state = groups[groupKey];
            for (var i = 0; i < accumulators.Count; i++)
            {
                var result = state[i].Result();
                if (result is not null)
                {
                    output[accumulators[i].Field] = result;
                }
            }

            yield return output;
        }
    }
}
