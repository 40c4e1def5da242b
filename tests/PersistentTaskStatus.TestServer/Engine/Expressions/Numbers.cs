using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>
/// MongoDB's numeric result types (https://www.mongodb.com/docs/manual/reference/operator/aggregation/add/ and
/// siblings): int32 op int32 stays int32 unless it overflows (then long); long overflow gives a double; a double
/// operand gives a double; a decimal operand gives a decimal.
/// </summary>
internal static class Numbers
{
    private enum Kind
    {
        Int32,
        Int64,
        Double,
        Decimal,
    }

    public static BsonValue Add(BsonValue a, BsonValue b) => Combine(a, b, (x, y) => checked(x + y), (x, y) => x + y, (x, y) => x + y);

    public static BsonValue Subtract(BsonValue a, BsonValue b) => Combine(a, b, (x, y) => checked(x - y), (x, y) => x - y, (x, y) => x - y);

    public static BsonValue Multiply(BsonValue a, BsonValue b) => Combine(a, b, (x, y) => checked(x * y), (x, y) => x * y, (x, y) => x * y);

    /// <summary>The remainder with the sign of the dividend; the divisor must not be zero.</summary>
    public static BsonValue Mod(BsonValue a, BsonValue b) => Combine(a, b, (x, y) => y == -1 ? 0 : x % y, (x, y) => x % y, (x, y) => x % y);

    public static bool IsZero(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => value.AsInt32 == 0,
        BsonType.Int64 => value.AsInt64 == 0,
        BsonType.Double => value.AsDouble == 0,
        BsonType.Decimal128 => Decimal128.IsZero(value.AsDecimal128),
        _ => false,
    };

    public static BsonValue FromDecimal(decimal value) => new BsonDecimal128(new Decimal128(value));

    /// <summary>True for every number but NaN and the infinities (of double or decimal type).</summary>
    public static bool IsFinite(BsonValue value) => value.BsonType switch
    {
        BsonType.Double => double.IsFinite(value.AsDouble),
        BsonType.Decimal128 => !Decimal128.IsNaN(value.AsDecimal128) && !Decimal128.IsInfinity(value.AsDecimal128),
        _ => true,
    };

    /// <summary>
    /// A decimal result of <paramref name="exact"/> through System.Decimal; System.Decimal has neither NaN nor the
    /// infinities, so when an operand is one of them the result comes from <paramref name="floating"/> on doubles,
    /// whose IEEE 754 rules for them are the decimal ones too (NaN in, NaN out; infinity minus infinity is NaN).
    /// </summary>
    public static BsonDecimal128 DecimalOp(
        BsonValue a,
        BsonValue b,
        Func<decimal, decimal, decimal> exact,
        Func<double, double, double> floating)
    {
        if (!IsFinite(a) || !IsFinite(b))
        {
            var result = floating(BsonOrder.ToDouble(a), BsonOrder.ToDouble(b));
            return new BsonDecimal128(double.IsNaN(result) ? Decimal128.QNaN : new Decimal128(result));
        }

        try
        {
            return new BsonDecimal128(new Decimal128(exact(ToDecimal(a), ToDecimal(b))));
        }
        catch (OverflowException)
        {
            throw MongoServerException.NotSupported("Decimal arithmetic beyond the range of System.Decimal");
        }
    }

    public static decimal ToDecimal(BsonValue value)
    {
        try
        {
            return value.BsonType switch
            {
                BsonType.Int32 => value.AsInt32,
                BsonType.Int64 => value.AsInt64,
                BsonType.Double => (decimal)value.AsDouble,
                _ => Decimal128.ToDecimal(value.AsDecimal128),
            };
        }
        catch (OverflowException)
        {
            throw MongoServerException.NotSupported("Decimal arithmetic beyond the range of System.Decimal");
        }
    }

    /// <summary>A long result narrowed to int32 when both operands were int32 and it fits.</summary>
    public static BsonValue Integral(long value, bool bothInt32) =>
        bothInt32 && value is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)value) : new BsonInt64(value);

    private static Kind KindOf(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => Kind.Int32,
        BsonType.Int64 => Kind.Int64,
        BsonType.Double => Kind.Double,
        _ => Kind.Decimal,
    };

    private static BsonValue Combine(
        BsonValue a,
        BsonValue b,
        Func<long, long, long> integral,
        Func<double, double, double> floating,
        Func<decimal, decimal, decimal> exact)
    {
        var kind = (Kind)Math.Max((int)KindOf(a), (int)KindOf(b));
        switch (kind)
        {
            case Kind.Decimal:
                return DecimalOp(a, b, exact, floating);

            case Kind.Double:
                return new BsonDouble(floating(BsonOrder.ToDouble(a), BsonOrder.ToDouble(b)));
            default:
                var x = BsonOrder.ToInt64(a);
                var y = BsonOrder.ToInt64(b);
                long result;
                try
                {
                    result = integral(x, y);
                }
                catch (OverflowException)
                {
                    return new BsonDouble(floating(x, y));
                }

                return Integral(result, kind == Kind.Int32);
        }
    }
}
