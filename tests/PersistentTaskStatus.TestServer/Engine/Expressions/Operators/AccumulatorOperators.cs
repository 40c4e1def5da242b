using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// $sum $avg $min $max as expressions (https://www.mongodb.com/docs/manual/reference/operator/aggregation/sum/#use-in-project-stage
/// and siblings): with one argument that is an array they work on its elements, otherwise on their arguments.
/// </summary>
internal static class AccumulatorOperators
{
    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$sum"] = OperatorShapes.Variadic(args => Sum(Inputs(args)));
        table["$avg"] = OperatorShapes.Variadic(args => Average(Inputs(args)));
        table["$min"] = OperatorShapes.Variadic(args => Extreme(Inputs(args), wantMax: false));
        table["$max"] = OperatorShapes.Variadic(args => Extreme(Inputs(args), wantMax: true));
    }

    /// <summary>The sum of the numbers among the values (others are ignored); 0 (int32) when there are none.</summary>
    public static BsonValue Sum(IEnumerable<BsonValue?> values)
    {
        BsonValue total = new BsonInt32(0);
        foreach (var value in values)
        {
            if (value is not null && BsonOrder.IsNumber(value))
            {
                total = Numbers.Add(total, value);
            }
        }

        return total;
    }

    /// <summary>The mean of the numbers among the values, a double (a decimal if any is one); null when there are none.</summary>
    public static BsonValue Average(IEnumerable<BsonValue?> values)
    {
        BsonValue total = new BsonInt32(0);
        var count = 0;
        foreach (var value in values)
        {
            if (value is not null && BsonOrder.IsNumber(value))
            {
                total = Numbers.Add(total, value);
                count++;
            }
        }

        if (count == 0)
        {
            return BsonNull.Value;
        }

        if (!Numbers.IsFinite(total))
        {
            // NaN or an infinity divided by a count is itself.
            return total.BsonType == BsonType.Decimal128 ? total : new BsonDouble(BsonOrder.ToDouble(total));
        }

        return total.BsonType == BsonType.Decimal128
            ? Numbers.FromDecimal(Numbers.ToDecimal(total) / count)
            : new BsonDouble(BsonOrder.ToDouble(total) / count);
    }

    /// <summary>The smallest or largest value in BSON order, ignoring null and missing; null when nothing is left.</summary>
    public static BsonValue Extreme(IEnumerable<BsonValue?> values, bool wantMax)
    {
        BsonValue? best = null;
        foreach (var value in values)
        {
            if (Values.IsNullish(value))
            {
                continue;
            }

            if (best is null || (wantMax ? Values.Compare(value, best) > 0 : Values.Compare(value, best) < 0))
            {
                best = value;
            }
        }

        return best ?? BsonNull.Value;
    }

    private static IEnumerable<BsonValue?> Inputs(BsonValue?[] args) =>
        args.Length == 1 && args[0] is BsonArray array ? array : args;
}
