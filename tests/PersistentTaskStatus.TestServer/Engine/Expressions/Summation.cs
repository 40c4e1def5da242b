using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>
/// MongoDB's <c>DoubleDoubleSummation</c> (src/mongo/util/summation.h and .cpp): an unevaluated sum of two doubles
/// kept with the 2Sum and Fast2Sum error-free transformations, so that a long series of doubles, and any series of
/// 32- and 64-bit integers, sums without the rounding error of a plain running total. <c>$sum</c> and <c>$avg</c>
/// (as accumulators and as expressions) add through it.
/// </summary>
internal struct DoubleDoubleSummation
{
    private double sum;
    private double addend;

    // A plain sum, returned when the compensated one is NaN: infinities turn into NaN in compensated addition.
    private double special;

    public void AddDouble(double x)
    {
        special += x;
        (x, addend) = Fast2Sum(x, addend);
        (sum, x) = TwoSum(sum, x);
        addend += x;
    }

    /// <summary>Adds a 64-bit integer as two doubles (its high and low 32 bits), so that the sum stays exact.</summary>
    public void AddLong(long x)
    {
        var high = x / (1L << 32) * (1L << 32);
        var low = x - high;
        AddDouble(low);
        AddDouble(high);
    }

    /// <summary>The double nearest the sum.</summary>
    public readonly double Double => double.IsNaN(sum) ? special : sum;

    /// <summary>The sum as a decimal: both parts, each rounded to a decimal, added.</summary>
    public readonly decimal Decimal => !double.IsFinite(sum)
        ? Numbers.ToDecimal(new BsonDouble(special))
        : Numbers.ToDecimal(new BsonDouble(sum)) + Numbers.ToDecimal(new BsonDouble(addend));

    /// <summary>Whether the sum, rounded to the nearest integer, is within the range of a 64-bit integer.</summary>
    public readonly bool FitsLong
    {
        get
        {
            const double max = long.MaxValue; // 2^63: long.MaxValue rounds up to it.
            const double min = long.MinValue;
            if (sum > min && sum < max)
            {
                return true;
            }

            if (sum == max)
            {
                return addend < -0.5;
            }

            if (sum == min)
            {
                return addend >= -0.5;
            }

            return false;
        }
    }

    /// <summary>The sum rounded to the nearest integer, half-way cases away from zero; the caller checks <see cref="FitsLong"/>.</summary>
    public readonly long Long
    {
        get
        {
            if (sum == long.MaxValue)
            {
                // 2^63 itself does not fit: the addend brings it back into range.
                return unchecked(LRound(addend) - long.MinValue);
            }

            var rounded = LRound(sum);
            return rounded + LRound(sum - rounded + addend);
        }
    }

    private static long LRound(double value) => (long)Math.Round(value, MidpointRounding.AwayFromZero);

    // Assuming |b| <= |a|: the double nearest a + b, and the remainder (Dekker).
    private static (double Sum, double Error) Fast2Sum(double a, double b)
    {
        var s = a + b;
        var z = s - a;
        var t = b - z;
        return (s, t);
    }

    // The double nearest a + b, and the remainder, for any magnitudes (Møller, Knuth).
    private static (double Sum, double Error) TwoSum(double a, double b)
    {
        var s = a + b;
        var aPrime = s - b;
        var bPrime = s - aPrime;
        var deltaA = a - aPrime;
        var deltaB = b - bPrime;
        return (s, deltaA + deltaB);
    }
}

/// <summary>
/// The running state of <c>$sum</c> and <c>$avg</c> (MongoDB's <c>AccumulatorSum</c> and <c>AccumulatorAvg</c>):
/// integers and doubles through <see cref="DoubleDoubleSummation"/>, decimals apart; the result has the widest type
/// seen. Non-numeric values are ignored.
/// </summary>
internal sealed class NumericSum
{
    private DoubleDoubleSummation nonDecimal;
    private decimal decimalTotal;

    // System.Decimal has neither NaN nor the infinities: decimal NaN and infinities are added up here as doubles,
    // whose IEEE 754 rules for them are the decimal ones too (NaN in, NaN out; infinity minus infinity is NaN).
    private double nonFiniteDecimals;
    private BsonType totalType = BsonType.Int32;

    /// <summary>How many numbers were added.</summary>
    public long Count { get; private set; }

    public void Add(BsonValue? value)
    {
        switch (value?.BsonType)
        {
            case BsonType.Int32:
                nonDecimal.AddDouble(value.AsInt32);
                break;
            case BsonType.Int64:
                nonDecimal.AddLong(value.AsInt64);
                break;
            case BsonType.Double:
                nonDecimal.AddDouble(value.AsDouble);
                break;
            case BsonType.Decimal128 when !Numbers.IsFinite(value):
                nonFiniteDecimals += BsonOrder.ToDouble(value);
                break;
            case BsonType.Decimal128:
                decimalTotal += Numbers.ToDecimal(value);
                break;
            default:
                return;
        }

        totalType = Widest(totalType, value.BsonType);
        Count++;
    }

    /// <summary>
    /// The sum: an int32 when every number was one and the sum fits, a long when it fits a long (and only integers were
    /// added), else a double; a decimal when any number was.
    /// </summary>
    public BsonValue Sum => totalType switch
    {
        BsonType.Int32 when nonDecimal.FitsLong => Numbers.Integral(nonDecimal.Long, bothInt32: true),
        BsonType.Int64 when nonDecimal.FitsLong => new BsonInt64(nonDecimal.Long),
        BsonType.Int32 or BsonType.Int64 or BsonType.Double => new BsonDouble(nonDecimal.Double),
        _ => DecimalResult(count: 1),
    };

    /// <summary>The mean: null without numbers, a decimal when any number was one, else a double.</summary>
    public BsonValue Average => Count == 0
        ? BsonNull.Value
        : totalType == BsonType.Decimal128
            ? DecimalResult(Count)
            : new BsonDouble(nonDecimal.Double / Count);

    /// <summary>The decimal sum divided by <paramref name="count"/>; NaN or an infinity (divided by a count, itself) when the sum is one.</summary>
    private BsonDecimal128 DecimalResult(long count)
    {
        var nonFinite = nonFiniteDecimals + (double.IsFinite(nonDecimal.Double) ? 0 : nonDecimal.Double);
        if (!double.IsFinite(nonFinite))
        {
            return new BsonDecimal128(double.IsNaN(nonFinite) ? Decimal128.QNaN : new Decimal128(nonFinite));
        }

        return (BsonDecimal128)Numbers.FromDecimal((decimalTotal + nonDecimal.Decimal) / count);
    }

    private static BsonType Widest(BsonType a, BsonType b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(BsonType type) => type switch
    {
        BsonType.Int32 => 0,
        BsonType.Int64 => 1,
        BsonType.Double => 2,
        _ => 3,
    };
}

/// <summary>
/// <c>$sum</c> of a constant number in <c>$group</c> (<c>{ $sum: 1 }</c>): MongoDB adds it without compensation,
/// int32 widening to long and long to double on overflow (<c>AccumulatorSum</c>'s constant sum).
/// </summary>
internal sealed class ConstantSum(BsonValue addend)
{
    private BsonValue total = addend.BsonType switch
    {
        BsonType.Int32 => new BsonInt32(0),
        BsonType.Int64 => new BsonInt64(0),
        _ => new BsonDouble(0),
    };

    public BsonValue Sum => total;

    public void Add() => total = Numbers.Add(total, addend);
}
