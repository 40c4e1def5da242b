using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// $setIsSubset $setUnion $setDifference $setEquals $setIntersection $allElementsTrue $anyElementTrue: arrays as sets,
/// duplicates ignored (https://www.mongodb.com/docs/manual/reference/operator/aggregation/#set-expression-operators).
/// </summary>
internal static class SetOperators
{
    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$setIsSubset"] = OperatorShapes.Fixed(2, args =>
        {
            var first = args[0] as BsonArray
                ?? throw OperatorShapes.Error(17046, $"both operands of $setIsSubset must be arrays. First argument is of type: {Values.TypeName(args[0])}");
            var second = args[1] as BsonArray
                ?? throw OperatorShapes.Error(17042, $"both operands of $setIsSubset must be arrays. Second argument is of type: {Values.TypeName(args[1])}");
            var set = new HashSet<BsonValue>(second, BsonOrder.Instance);
            return Values.Bool(first.All(set.Contains));
        });
        table["$setUnion"] = OperatorShapes.Variadic(SetUnion);
        table["$setIntersection"] = OperatorShapes.Variadic(SetIntersection);
        table["$setEquals"] = OperatorShapes.Variadic(SetEquals);
        table["$setDifference"] = OperatorShapes.Fixed(2, SetDifference);
        table["$allElementsTrue"] = OperatorShapes.Fixed(1, args => args[0] is BsonArray array
            ? Values.Bool(array.All(Values.IsTrue))
            : throw OperatorShapes.Error(17040, $"$allElementsTrue's argument must be an array, but is {Values.TypeName(args[0])}"));
        table["$anyElementTrue"] = OperatorShapes.Fixed(1, args => args[0] is BsonArray array
            ? Values.Bool(array.Any(Values.IsTrue))
            : throw OperatorShapes.Error(17041, $"$anyElementTrue's argument must be an array, but is {Values.TypeName(args[0])}"));
    }

    private static BsonValue SetUnion(BsonValue?[] args)
    {
        var result = new List<BsonValue>();
        var seen = new HashSet<BsonValue>(BsonOrder.Instance);
        var sawNull = false;
        foreach (var arg in args)
        {
            if (Values.IsNullish(arg))
            {
                sawNull = true;
                continue;
            }

            if (arg is not BsonArray array)
            {
                throw OperatorShapes.Error(17043, $"All operands of $setUnion must be arrays. One argument is of type: {Values.TypeName(arg)}");
            }

            result.AddRange(array.Where(seen.Add));
        }

        return sawNull ? BsonNull.Value : new BsonArray(result);
    }

    private static BsonValue SetIntersection(BsonValue?[] args)
    {
        HashSet<BsonValue>? current = null;
        List<BsonValue> ordered = [];
        var sawNull = false;
        foreach (var arg in args)
        {
            if (Values.IsNullish(arg))
            {
                sawNull = true;
                continue;
            }

            if (arg is not BsonArray array)
            {
                throw OperatorShapes.Error(17047, $"All operands of $setIntersection must be arrays. One argument is of type: {Values.TypeName(arg)}");
            }

            var set = new HashSet<BsonValue>(array, BsonOrder.Instance);
            if (current is null)
            {
                current = new HashSet<BsonValue>(BsonOrder.Instance);
                ordered = array.Where(current.Add).ToList();
            }
            else
            {
                ordered = ordered.Where(set.Contains).ToList();
                current = new HashSet<BsonValue>(ordered, BsonOrder.Instance);
            }
        }

        return sawNull ? BsonNull.Value : new BsonArray(ordered);
    }

    private static BsonValue SetEquals(BsonValue?[] args)
    {
        if (args.Length < 2)
        {
            throw OperatorShapes.Error(17045, $"$setEquals needs at least two arguments had: {args.Length}");
        }

        HashSet<BsonValue>? first = null;
        foreach (var arg in args)
        {
            if (arg is not BsonArray array)
            {
                throw OperatorShapes.Error(17044, $"All operands of $setEquals must be arrays. One argument is of type: {Values.TypeName(arg)}");
            }

            var set = new HashSet<BsonValue>(array, BsonOrder.Instance);
            if (first is null)
            {
                first = set;
            }
            else if (!first.SetEquals(set))
            {
                return BsonBoolean.False;
            }
        }

        return BsonBoolean.True;
    }

    private static BsonValue SetDifference(BsonValue?[] args)
    {
        if (Values.IsNullish(args[0]) || Values.IsNullish(args[1]))
        {
            return BsonNull.Value;
        }

        var first = args[0] as BsonArray
            ?? throw OperatorShapes.Error(17048, $"both operands of $setDifference must be arrays. First argument is of type: {Values.TypeName(args[0])}");
        var second = args[1] as BsonArray
            ?? throw OperatorShapes.Error(17049, $"both operands of $setDifference must be arrays. Second argument is of type: {Values.TypeName(args[1])}");
        var exclude = new HashSet<BsonValue>(second, BsonOrder.Instance);
        var seen = new HashSet<BsonValue>(BsonOrder.Instance);
        return new BsonArray(first.Where(v => !exclude.Contains(v) && seen.Add(v)));
    }
}
