using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// $add $subtract $multiply $divide $mod $abs $floor $ceil $round $trunc
/// (https://www.mongodb.com/docs/manual/reference/operator/aggregation/#arithmetic-expression-operators).
/// A null or missing argument makes the result null.
/// </summary>
internal static class ArithmeticOperators
{
    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$add"] = OperatorShapes.Variadic(Add);
        table["$subtract"] = OperatorShapes.Fixed(2, args => Subtract(args[0], args[1]));
        table["$multiply"] = OperatorShapes.Variadic(Multiply);
        table["$divide"] = OperatorShapes.Fixed(2, args => Divide(args[0], args[1]));
        table["$mod"] = OperatorShapes.Fixed(2, args => Mod(args[0], args[1]));
        table["$abs"] = OperatorShapes.Fixed(1, args => Abs(args[0]));
        table["$floor"] = OperatorShapes.Fixed(1, args => Rounding("$floor", args[0], Math.Floor, Math.Floor));
        table["$ceil"] = OperatorShapes.Fixed(1, args => Rounding("$ceil", args[0], Math.Ceiling, Math.Ceiling));
        table["$round"] = OperatorShapes.Between(1, 2, args => RoundOrTrunc("$round", args, MidpointRounding.ToEven));
        table["$trunc"] = OperatorShapes.Between(1, 2, args => RoundOrTrunc("$trunc", args, MidpointRounding.ToZero));
    }

    private static BsonValue Add(BsonValue?[] args)
    {
        BsonValue total = new BsonInt32(0);
        BsonDateTime? date = null;
        foreach (var arg in args)
        {
            if (Values.IsNullish(arg))
            {
                return BsonNull.Value;
            }

            if (arg!.BsonType == BsonType.DateTime)
            {
                if (date is not null)
                {
                    throw OperatorShapes.Error(16612, "only one date allowed in an $add expression");
                }

                date = arg.AsBsonDateTime;
            }
            else if (BsonOrder.IsNumber(arg))
            {
                total = Numbers.Add(total, arg);
            }
            else
            {
                throw OperatorShapes.Error(16554, $"$add only supports numeric or date types, not {Values.TypeName(arg)}");
            }
        }

        return date is null ? total : new BsonDateTime(date.MillisecondsSinceEpoch + Milliseconds(total));
    }

    private static BsonValue Subtract(BsonValue? a, BsonValue? b)
    {
        if (Values.IsNullish(a) || Values.IsNullish(b))
        {
            return BsonNull.Value;
        }

        if (BsonOrder.IsNumber(a!) && BsonOrder.IsNumber(b!))
        {
            return Numbers.Subtract(a!, b!);
        }

        if (a!.BsonType == BsonType.DateTime)
        {
            if (b!.BsonType == BsonType.DateTime)
            {
                return new BsonInt64(a.AsBsonDateTime.MillisecondsSinceEpoch - b.AsBsonDateTime.MillisecondsSinceEpoch);
            }

            if (BsonOrder.IsNumber(b))
            {
                return new BsonDateTime(a.AsBsonDateTime.MillisecondsSinceEpoch - Milliseconds(b));
            }
        }

        throw OperatorShapes.Error(16556, $"can't $subtract {Values.TypeName(b)} from {Values.TypeName(a)}");
    }

    private static BsonValue Multiply(BsonValue?[] args)
    {
        BsonValue product = new BsonInt32(1);
        foreach (var arg in args)
        {
            if (Values.IsNullish(arg))
            {
                return BsonNull.Value;
            }

            if (!BsonOrder.IsNumber(arg!))
            {
                throw OperatorShapes.Error(16555, $"$multiply only supports numeric types, not {Values.TypeName(arg)}");
            }

            product = Numbers.Multiply(product, arg!);
        }

        return product;
    }

    private static BsonValue Divide(BsonValue? a, BsonValue? b)
    {
        if (Values.IsNullish(a) || Values.IsNullish(b))
        {
            return BsonNull.Value;
        }

        if (!BsonOrder.IsNumber(a!) || !BsonOrder.IsNumber(b!))
        {
            throw OperatorShapes.Error(16609, $"$divide only supports numeric types, not {Values.TypeName(a)} and {Values.TypeName(b)}");
        }

        if (Numbers.IsZero(b!))
        {
            throw OperatorShapes.Error(16608, "can't $divide by zero");
        }

        if (a!.BsonType == BsonType.Decimal128 || b!.BsonType == BsonType.Decimal128)
        {
            return Numbers.DecimalOp(a, b!, (x, y) => x / y, (x, y) => x / y);
        }

        return new BsonDouble(BsonOrder.ToDouble(a) / BsonOrder.ToDouble(b));
    }

    private static BsonValue Mod(BsonValue? a, BsonValue? b)
    {
        if (Values.IsNullish(a) || Values.IsNullish(b))
        {
            return BsonNull.Value;
        }

        if (!BsonOrder.IsNumber(a!) || !BsonOrder.IsNumber(b!))
        {
            throw OperatorShapes.Error(16611, $"$mod only supports numeric types, not {Values.TypeName(a)} and {Values.TypeName(b)}");
        }

        if (Numbers.IsZero(b!))
        {
            throw OperatorShapes.Error(16610, "can't $mod by zero");
        }

        return Numbers.Mod(a!, b!);
    }

    private static BsonValue Abs(BsonValue? value)
    {
        if (Values.IsNullish(value))
        {
            return BsonNull.Value;
        }

        return value!.BsonType switch
        {
            BsonType.Int32 => value.AsInt32 == int.MinValue ? new BsonInt64(-(long)int.MinValue) : new BsonInt32(Math.Abs(value.AsInt32)),
            BsonType.Int64 => value.AsInt64 == long.MinValue
                ? throw OperatorShapes.Error(28680, "can't take $abs of long long min")
                : new BsonInt64(Math.Abs(value.AsInt64)),
            BsonType.Double => new BsonDouble(Math.Abs(value.AsDouble)),
            BsonType.Decimal128 => Numbers.IsFinite(value)
                ? Numbers.FromDecimal(Math.Abs(Numbers.ToDecimal(value)))
                : Decimal128.IsNaN(value.AsDecimal128) ? value : new BsonDecimal128(Decimal128.PositiveInfinity),
            _ => throw OperatorShapes.Error(28765, $"$abs only supports numeric types, not {Values.TypeName(value)}"),
        };
    }

    // Integers are already whole; doubles and decimals keep their type.
    private static BsonValue Rounding(string name, BsonValue? value, Func<double, double> onDouble, Func<decimal, decimal> onDecimal)
    {
        if (Values.IsNullish(value))
        {
            return BsonNull.Value;
        }

        return value!.BsonType switch
        {
            BsonType.Int32 or BsonType.Int64 => value,
            BsonType.Double => new BsonDouble(onDouble(value.AsDouble)),
            BsonType.Decimal128 => Numbers.IsFinite(value) ? Numbers.FromDecimal(onDecimal(Numbers.ToDecimal(value))) : value,
            _ => throw OperatorShapes.Error(28765, $"{name} only supports numeric types, not {Values.TypeName(value)}"),
        };
    }

    private static BsonValue RoundOrTrunc(string name, BsonValue?[] args, MidpointRounding mode)
    {
        var value = args[0];
        var placeValue = args.Length > 1 ? args[1] : new BsonInt32(0);
        if (Values.IsNullish(value) || Values.IsNullish(placeValue))
        {
            return BsonNull.Value;
        }

        if (!BsonOrder.IsNumber(value!))
        {
            throw OperatorShapes.Error(51081, $"{name} only supports numeric types, not {Values.TypeName(value)}");
        }

        if (!Values.TryGetInt32(placeValue, out var place))
        {
            throw OperatorShapes.Error(51082, $"precision argument to {name} must be a integral value");
        }

        if (place is < -20 or > 100)
        {
            throw OperatorShapes.Error(51083, $"cannot apply {name} with precision value {place} value must be in [-20, 100]");
        }

        if (value!.BsonType == BsonType.Double && (double.IsNaN(value.AsDouble) || double.IsInfinity(value.AsDouble)))
        {
            return value;
        }

        if (value.BsonType is BsonType.Int32 or BsonType.Int64 && place >= 0)
        {
            return value;
        }

        // Through System.Decimal so that a decimal place rounds as written (19.25 -> 19.2), as the server's
        // Decimal128-based rounding does.
        decimal number;
        try
        {
            number = Numbers.ToDecimal(value);
        }
        catch (MongoServerException)
        {
            return value;
        }

        var rounded = RoundDecimal(number, place, mode);
        return value.BsonType switch
        {
            BsonType.Int32 => Numbers.Integral((long)rounded, bothInt32: true),
            BsonType.Int64 => new BsonInt64((long)rounded),
            BsonType.Double => new BsonDouble((double)rounded),
            _ => Numbers.FromDecimal(rounded),
        };
    }

    private static decimal RoundDecimal(decimal number, int place, MidpointRounding mode)
    {
        if (place >= 28)
        {
            return number;
        }

        if (place >= 0)
        {
            return Math.Round(number, place, mode);
        }

        if (place < -28)
        {
            return 0;
        }

        var scale = 1m;
        for (var i = 0; i < -place; i++)
        {
            scale *= 10;
        }

        return Math.Round(number / scale, 0, mode) * scale;
    }

    // A number added to a date is a count of milliseconds; a fractional one is rounded as the server's llround does.
    private static long Milliseconds(BsonValue number) => number.BsonType switch
    {
        BsonType.Int32 => number.AsInt32,
        BsonType.Int64 => number.AsInt64,
        BsonType.Double => (long)Math.Round(number.AsDouble, MidpointRounding.AwayFromZero),
        _ => (long)Math.Round(Numbers.ToDecimal(number), MidpointRounding.AwayFromZero),
    };
}
