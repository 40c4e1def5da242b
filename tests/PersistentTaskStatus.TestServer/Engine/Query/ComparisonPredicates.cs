using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Query;

internal enum ComparisonOperator
{
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// <summary>
/// <c>$eq $gt $gte $lt $lte</c> on one value, with MongoDB's type bracketing: values compare only within the same
/// canonical type, except that MinKey and MaxKey bound every type; null also matches missing for the inclusive forms.
/// </summary>
internal sealed class ComparisonPredicate(ComparisonOperator op, BsonValue operand) : IValuePredicate
{
    public BsonValue Operand => operand;

    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex) => Test(value, op, operand);

    public static bool Test(BsonValue? value, ComparisonOperator op, BsonValue operand)
    {
        var inclusive = op is ComparisonOperator.Eq or ComparisonOperator.Gte or ComparisonOperator.Lte;
        if (operand.BsonType == BsonType.Null && (value is null || value.BsonType == BsonType.Undefined))
        {
            // https://www.mongodb.com/docs/manual/tutorial/query-for-null-fields/: null matches a missing field.
            return inclusive;
        }

        if (value is null || BsonOrder.CanonicalRank(value) != BsonOrder.CanonicalRank(operand))
        {
            return operand.BsonType switch
            {
                BsonType.MinKey => op is ComparisonOperator.Gt or ComparisonOperator.Gte,
                BsonType.MaxKey => op is ComparisonOperator.Lt or ComparisonOperator.Lte,
                _ => false,
            };
        }

        if (BsonOrder.IsNumber(value) && (IsNaN(value) || IsNaN(operand)))
        {
            // NaN equals NaN and is otherwise neither smaller nor greater than any number.
            return inclusive && IsNaN(value) && IsNaN(operand);
        }

        var comparison = BsonOrder.Instance.Compare(value, operand);
        return op switch
        {
            ComparisonOperator.Eq => comparison == 0,
            ComparisonOperator.Gt => comparison > 0,
            ComparisonOperator.Gte => comparison >= 0,
            ComparisonOperator.Lt => comparison < 0,
            _ => comparison <= 0,
        };
    }

    private static bool IsNaN(BsonValue value) => value.BsonType switch
    {
        BsonType.Double => double.IsNaN(value.AsDouble),
        BsonType.Decimal128 => Decimal128.IsNaN(value.AsDecimal128),
        _ => false,
    };
}

/// <summary><c>$in</c>: equality to any listed value, or a match of any listed regular expression.</summary>
internal sealed class InPredicate : IValuePredicate
{
    private readonly HashSet<BsonValue> values = new(BsonOrder.Instance);
    private readonly List<RegexPredicate> regexes = [];
    private readonly bool hasNull;

    public InPredicate(IEnumerable<BsonValue> values, IEnumerable<RegexPredicate> regexes)
    {
        foreach (var value in values)
        {
            this.values.Add(value);
            hasNull |= value.BsonType == BsonType.Null;
        }

        this.regexes.AddRange(regexes);
    }

    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex)
    {
        if (value is null || value.BsonType == BsonType.Undefined)
        {
            return hasNull;
        }

        if (values.Contains(value))
        {
            return true;
        }

        foreach (var regex in regexes)
        {
            if (regex.Matches(value, context, ref elementIndex))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary><c>$exists</c> (true form): the path resolves to a value.</summary>
internal sealed class ExistsPredicate : IValuePredicate
{
    public static readonly ExistsPredicate Instance = new();

    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex) => value is not null;
}

/// <summary><c>$type</c>: the value's BSON type is one of the listed types ("number" covers all numeric types).</summary>
internal sealed class TypePredicate(IReadOnlySet<BsonType> types, bool anyNumber) : IValuePredicate
{
    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex) =>
        value is not null && (types.Contains(value.BsonType) || (anyNumber && BsonOrder.IsNumber(value)));
}

/// <summary><c>$mod: [divisor, remainder]</c> on numbers, truncated towards zero.</summary>
internal sealed class ModPredicate(long divisor, long remainder) : IValuePredicate
{
    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex)
    {
        if (value is null || !BsonOrder.IsNumber(value))
        {
            return false;
        }

        var asDouble = BsonOrder.ToDouble(value);
        if (double.IsNaN(asDouble) || double.IsInfinity(asDouble))
        {
            return false;
        }

        var number = value.BsonType == BsonType.Double ? SaturatingTruncate(asDouble) : BsonOrder.ToInt64(value);
        return divisor == -1 ? remainder == 0 : number % divisor == remainder;
    }

    public static long SaturatingTruncate(double value) =>
        value >= 9.2233720368547758E18 ? long.MaxValue : value <= -9.2233720368547758E18 ? long.MinValue : (long)value;
}

/// <summary><c>$size</c>: an array of exactly that many elements.</summary>
internal sealed class SizePredicate(long size) : IValuePredicate
{
    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex) =>
        value is BsonArray array && array.Count == size;
}

/// <summary>Negation inside a <c>$elemMatch</c> on values (<c>$ne</c>, <c>$nin</c>, <c>$not</c>).</summary>
internal sealed class NotPredicate(IValuePredicate inner) : IValuePredicate
{
    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex)
    {
        int? ignored = null;
        return !inner.Matches(value, context, ref ignored);
    }
}

/// <summary>All predicates hold for the same single value.</summary>
internal sealed class AllPredicate(IReadOnlyList<IValuePredicate> predicates) : IValuePredicate
{
    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex)
    {
        foreach (var predicate in predicates)
        {
            if (!predicate.Matches(value, context, ref elementIndex))
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed class NeverPredicate : IValuePredicate
{
    public static readonly NeverPredicate Instance = new();

    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex) => false;
}
