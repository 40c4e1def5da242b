using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// <c>$inc</c> and <c>$mul</c> (https://www.mongodb.com/docs/manual/reference/operator/update/inc/,
/// https://www.mongodb.com/docs/manual/reference/operator/update/mul/) with the server's SafeNum type rules: int32
/// with int32 stays int32 unless it overflows into int64; an int64 overflow fails; a double makes a double; a decimal
/// makes a decimal.
/// </summary>
internal sealed class ArithmeticNode(BsonValue operand, bool multiply) : ModifierNode
{
    private string OperatorName => multiply ? "$mul" : "$inc";

    protected override bool UpdateExisting(UpdateApplyState state, UpdatePosition position)
    {
        var current = position.Element;
        if (!BsonOrder.IsNumber(current))
        {
            throw MongoServerException.TypeMismatch(
                $"Cannot apply {OperatorName} to a value of non-numeric type. {{{IdText(state)}}} has the field '{position.FieldName}' of non-numeric type {BsonText.TypeName(current)}");
        }

        var result = multiply ? Multiply(current, operand) : Add(current, operand);
        if (result is null)
        {
            throw MongoServerException.BadValue(
                $"Failed to apply {OperatorName} operations to current value ({DebugString(current)}) for document {{{IdText(state)}}}");
        }

        if (IsIdentical(result, current))
        {
            return false;
        }

        if (BsonIdentity.Same(result, current))
        {
            state.Context.RewrittenPaths.Add(position.FullPath);
        }

        position.Replace(result);
        return true;
    }

    /// <summary>A missing field gets the operand for <c>$inc</c> and a zero of the operand's type for <c>$mul</c>.</summary>
    protected override BsonValue ValueForNewElement(UpdateApplyState state) =>
        multiply ? Multiply(operand, new BsonInt32(0))! : operand;

    private static BsonValue? Add(BsonValue a, BsonValue b)
    {
        if (a.BsonType == BsonType.Decimal128 || b.BsonType == BsonType.Decimal128)
        {
            return Numbers.DecimalOp(a, b, (x, y) => x + y, (x, y) => x + y);
        }

        if (a.BsonType == BsonType.Double || b.BsonType == BsonType.Double)
        {
            return new BsonDouble(BsonOrder.ToDouble(a) + BsonOrder.ToDouble(b));
        }

        if (a.BsonType == BsonType.Int32 && b.BsonType == BsonType.Int32)
        {
            return Narrow((long)a.AsInt32 + b.AsInt32);
        }

        try
        {
            return new BsonInt64(checked(BsonOrder.ToInt64(a) + BsonOrder.ToInt64(b)));
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static BsonValue? Multiply(BsonValue a, BsonValue b)
    {
        if (a.BsonType == BsonType.Decimal128 || b.BsonType == BsonType.Decimal128)
        {
            return Numbers.DecimalOp(a, b, (x, y) => x * y, (x, y) => x * y);
        }

        if (a.BsonType == BsonType.Double || b.BsonType == BsonType.Double)
        {
            return new BsonDouble(BsonOrder.ToDouble(a) * BsonOrder.ToDouble(b));
        }

        if (a.BsonType == BsonType.Int32 && b.BsonType == BsonType.Int32)
        {
            return Narrow((long)a.AsInt32 * b.AsInt32);
        }

        try
        {
            return new BsonInt64(checked(BsonOrder.ToInt64(a) * BsonOrder.ToInt64(b)));
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static BsonValue Narrow(long value) =>
        value is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)value) : new BsonInt64(value);

    /// <summary>
    /// The server's SafeNum::isIdentical: same type and same value, compared as C++ compares them, so NaN is never
    /// identical to NaN (doubles with ==, decimals with Decimal128::isEqual): an <c>$inc</c> or <c>$mul</c> of a NaN
    /// is a modification.
    /// </summary>
    private static bool IsIdentical(BsonValue a, BsonValue b) =>
        a.BsonType == b.BsonType && a.BsonType switch
        {
            BsonType.Double => a.AsDouble == b.AsDouble,
            BsonType.Decimal128 => !Decimal128.IsNaN(a.AsDecimal128) && !Decimal128.IsNaN(b.AsDecimal128) &&
                BsonOrder.Instance.Compare(a, b) == 0,
            _ => BsonOrder.Instance.Compare(a, b) == 0,
        };

    private static string DebugString(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => $"(NumberInt){value.AsInt32}",
        BsonType.Int64 => $"(NumberLong){value.AsInt64}",
        BsonType.Double => $"(NumberDouble){BsonText.Value(value)}",
        _ => $"(NumberDecimal){value}",
    };
}

/// <summary>
/// <c>$min</c> and <c>$max</c> (https://www.mongodb.com/docs/manual/reference/operator/update/min/,
/// https://www.mongodb.com/docs/manual/reference/operator/update/max/): compare in BSON order, across types; a missing
/// field is set.
/// </summary>
internal sealed class CompareNode(BsonValue value, bool max) : ModifierNode
{
    protected override bool CanSetObjectValue => true;

    protected override bool UpdateExisting(UpdateApplyState state, UpdatePosition position)
    {
        var comparison = BsonOrder.Instance.Compare(value, position.Element);
        if (comparison == 0 || (max ? comparison < 0 : comparison > 0))
        {
            return false;
        }

        position.Replace(value.DeepClone());
        return true;
    }

    protected override BsonValue ValueForNewElement(UpdateApplyState state) => value.DeepClone();
}
