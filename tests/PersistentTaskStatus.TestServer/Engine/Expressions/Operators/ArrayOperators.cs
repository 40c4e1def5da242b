using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// $size $arrayElemAt $first $last $concatArrays $in $indexOfArray $isArray $slice $range $reverseArray
/// (https://www.mongodb.com/docs/manual/reference/operator/aggregation/#array-expression-operators).
/// </summary>
internal static class ArrayOperators
{
    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$size"] = OperatorShapes.Fixed(1, args => args[0] is BsonArray array
            ? new BsonInt32(array.Count)
            : throw OperatorShapes.Error(17124, $"The argument to $size must be an array. Type of argument: {Values.TypeName(args[0])}"));
        table["$arrayElemAt"] = OperatorShapes.Fixed(2, args => ArrayElemAt(args[0], args[1]));
        table["$first"] = OperatorShapes.Fixed(1, args => FirstOrLast("$first", args[0], 0));
        table["$last"] = OperatorShapes.Fixed(1, args => FirstOrLast("$last", args[0], -1));
        table["$concatArrays"] = OperatorShapes.Variadic(ConcatArrays);
        table["$in"] = OperatorShapes.Fixed(2, args => args[1] is BsonArray array
            ? Values.Bool(array.Any(element => Values.Compare(element, args[0]) == 0))
            : throw OperatorShapes.Error(40081, $"$in requires an array as a second argument, found: {Values.TypeName(args[1])}"));
        table["$indexOfArray"] = OperatorShapes.Between(2, 4, IndexOfArray);
        table["$isArray"] = OperatorShapes.Fixed(1, args => Values.Bool(args[0] is BsonArray));
        table["$slice"] = OperatorShapes.Between(2, 3, Slice);
        table["$range"] = OperatorShapes.Between(2, 3, Range);
        table["$reverseArray"] = OperatorShapes.Fixed(1, args => Values.IsNullish(args[0])
            ? BsonNull.Value
            : args[0] is BsonArray array
                ? new BsonArray(array.Reverse())
                : throw OperatorShapes.Error(34435, $"The argument to $reverseArray must be an array, but was of type: {Values.TypeName(args[0])}"));
    }

    private static BsonValue? ArrayElemAt(BsonValue? arrayValue, BsonValue? indexValue)
    {
        if (Values.IsNullish(arrayValue) || Values.IsNullish(indexValue))
        {
            return BsonNull.Value;
        }

        if (arrayValue is not BsonArray array)
        {
            throw OperatorShapes.Error(28689, $"$arrayElemAt's first argument must be an array, but is {Values.TypeName(arrayValue)}");
        }

        if (!BsonOrder.IsNumber(indexValue!))
        {
            throw OperatorShapes.Error(28690, $"$arrayElemAt's second argument must be a numeric value, but is {Values.TypeName(indexValue)}");
        }

        if (!Values.TryGetInt32(indexValue, out var index))
        {
            throw OperatorShapes.Error(28691, $"$arrayElemAt's second argument must be representable as a 32-bit integer: {Values.Render(indexValue)}");
        }

        return ElementAt(array, index);
    }

    // Out of range is missing, so that a stage omits the field.
    private static BsonValue? ElementAt(BsonArray array, int index)
    {
        var position = index < 0 ? array.Count + (long)index : index;
        return position >= 0 && position < array.Count ? array[(int)position] : null;
    }

    private static BsonValue? FirstOrLast(string name, BsonValue? value, int index)
    {
        if (Values.IsNullish(value))
        {
            return BsonNull.Value;
        }

        return value is BsonArray array
            ? ElementAt(array, index)
            : throw OperatorShapes.Error(28689, $"{name}'s argument must be an array, but is {Values.TypeName(value)}");
    }

    private static BsonValue ConcatArrays(BsonValue?[] args)
    {
        var result = new BsonArray();
        foreach (var arg in args)
        {
            if (Values.IsNullish(arg))
            {
                return BsonNull.Value;
            }

            if (arg is not BsonArray array)
            {
                throw OperatorShapes.Error(28664, $"$concatArrays only supports arrays, not {Values.TypeName(arg)}");
            }

            result.AddRange(array);
        }

        return result;
    }

    private static BsonValue IndexOfArray(BsonValue?[] args)
    {
        if (Values.IsNullish(args[0]))
        {
            return BsonNull.Value;
        }

        if (args[0] is not BsonArray array)
        {
            throw OperatorShapes.Error(40090, $"$indexOfArray requires an array as a first argument, found: {Values.TypeName(args[0])}");
        }

        var start = args.Length > 2 ? Bound(args[2], "starting", 40096, 40097) : 0;
        var end = args.Length > 3 ? Math.Min(Bound(args[3], "ending", 40096, 40097), array.Count) : array.Count;
        for (var i = start; i < end; i++)
        {
            if (Values.Compare(array[i], args[1]) == 0)
            {
                return new BsonInt32(i);
            }
        }

        return new BsonInt32(-1);
    }

    private static int Bound(BsonValue? value, string which, int notIntegral, int negative)
    {
        if (!Values.TryGetInt32(value, out var result))
        {
            throw OperatorShapes.Error(notIntegral, $"$indexOfArray requires an integral {which} index, found a value of type: {Values.TypeName(value)}, with value: {Values.Render(value)}");
        }

        if (result < 0)
        {
            throw OperatorShapes.Error(negative, $"$indexOfArray requires a nonnegative {which} index, found: {result}");
        }

        return result;
    }

    private static BsonValue Slice(BsonValue?[] args)
    {
        if (args.Any(Values.IsNullish))
        {
            return BsonNull.Value;
        }

        if (args[0] is not BsonArray array)
        {
            throw OperatorShapes.Error(28724, $"First argument to $slice must be an array, but is of type: {Values.TypeName(args[0])}");
        }

        if (!BsonOrder.IsNumber(args[1]!))
        {
            throw OperatorShapes.Error(28725, $"Second argument to $slice must be a numeric value, but is of type: {Values.TypeName(args[1])}");
        }

        if (!Values.TryGetInt32(args[1], out var first))
        {
            throw OperatorShapes.Error(28726, $"Second argument to $slice can't be represented as a 32-bit integer: {Values.Render(args[1])}");
        }

        long start;
        long count;
        if (args.Length == 2)
        {
            // [array, n]: the first n elements, or the last -n.
            start = first >= 0 ? 0 : Math.Max(0, array.Count + (long)first);
            count = first >= 0 ? first : array.Count - start;
        }
        else
        {
            if (!BsonOrder.IsNumber(args[2]!))
            {
                throw OperatorShapes.Error(28727, $"Third argument to $slice must be numeric, but is of type: {Values.TypeName(args[2])}");
            }

            if (!Values.TryGetInt32(args[2], out var n))
            {
                throw OperatorShapes.Error(28728, $"Third argument to $slice can't be represented as a 32-bit integer: {Values.Render(args[2])}");
            }

            if (n <= 0)
            {
                throw OperatorShapes.Error(28729, $"Third argument to $slice must be positive: {n}");
            }

            start = first >= 0 ? Math.Min(first, array.Count) : Math.Max(0, array.Count + (long)first);
            count = n;
        }

        return new BsonArray(array.Skip((int)start).Take((int)Math.Min(count, array.Count)));
    }

    private static BsonValue Range(BsonValue?[] args)
    {
        var start = RangeInt(args[0], "a starting value", 34443, 34444);
        var end = RangeInt(args[1], "an ending value", 34445, 34446);
        var step = args.Length > 2 ? RangeInt(args[2], "a step value", 34447, 34448) : 1;
        if (step == 0)
        {
            throw OperatorShapes.Error(34449, "$range requires a non-zero step value");
        }

        var result = new BsonArray();
        for (long i = start; step > 0 ? i < end : i > end; i += step)
        {
            result.Add(new BsonInt32((int)i));
        }

        return result;
    }

    private static int RangeInt(BsonValue? value, string what, int notNumeric, int notInt32)
    {
        if (value is null || !BsonOrder.IsNumber(value))
        {
            throw OperatorShapes.Error(notNumeric, $"$range requires a numeric {what[(what.IndexOf(' ', StringComparison.Ordinal) + 1)..]}, found value of type: {Values.TypeName(value)}");
        }

        return Values.TryGetInt32(value, out var result)
            ? result
            : throw OperatorShapes.Error(notInt32, $"$range requires {what} that can be represented as a 32-bit integer, found value: {Values.Render(value)}");
    }
}
