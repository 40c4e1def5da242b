using System.Text;
using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine;

/// <summary>
/// MongoDB's comparison order across BSON types ("Comparison/Sort Order" in the MongoDB manual,
/// https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/): MinKey, Null, Numbers, Symbol/String,
/// Object, Array, BinData, ObjectId, Boolean, Date, Timestamp, Regular Expression, MaxKey. Numbers of different BSON
/// types compare by value; NaN is smaller than every other number and equal to itself.
/// </summary>
internal sealed class BsonOrder : IComparer<BsonValue>, IEqualityComparer<BsonValue>
{
    public static readonly BsonOrder Instance = new();

    private BsonOrder()
    {
    }

    /// <summary>The canonical rank of a type in the comparison order (the server's canonicalizeBSONType).</summary>
    public static int CanonicalRank(BsonValue value) => value.BsonType switch
    {
        BsonType.MinKey => -1,
        BsonType.Undefined => 0,
        BsonType.Null => 5,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 10,
        BsonType.String or BsonType.Symbol => 15,
        BsonType.Document => 20,
        BsonType.Array => 25,
        BsonType.Binary => 30,
        BsonType.ObjectId => 35,
        BsonType.Boolean => 40,
        BsonType.DateTime => 45,
        BsonType.Timestamp => 47,
        BsonType.RegularExpression => 50,
        BsonType.JavaScript => 60,
        BsonType.JavaScriptWithScope => 65,
        BsonType.MaxKey => 100,
        _ => throw MongoServerException.NotSupported($"Comparing values of BSON type {value.BsonType}"),
    };

    public static bool IsNumber(BsonValue value) =>
        value.BsonType is BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128;

    public int Compare(BsonValue? x, BsonValue? y)
    {
        x ??= BsonNull.Value;
        y ??= BsonNull.Value;
        var rank = CanonicalRank(x).CompareTo(CanonicalRank(y));
        if (rank != 0)
        {
            return Math.Sign(rank);
        }

        switch (x.BsonType)
        {
            case BsonType.MinKey or BsonType.MaxKey or BsonType.Null or BsonType.Undefined:
                return 0;
            case BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128:
                return CompareNumbers(x, y);
            case BsonType.String or BsonType.Symbol:
                return CompareStrings(StringOf(x), StringOf(y));
            case BsonType.Document:
                return CompareDocuments(x.AsBsonDocument, y.AsBsonDocument);
            case BsonType.Array:
                return CompareArrays(x.AsBsonArray, y.AsBsonArray);
            case BsonType.Binary:
                {
                    var a = x.AsBsonBinaryData;
                    var b = y.AsBsonBinaryData;
                    var byLength = a.Bytes.Length.CompareTo(b.Bytes.Length);
                    if (byLength != 0)
                    {
                        return Math.Sign(byLength);
                    }

                    var bySubType = ((byte)a.SubType).CompareTo((byte)b.SubType);
                    return bySubType != 0 ? Math.Sign(bySubType) : Math.Sign(a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
                }

            case BsonType.ObjectId:
                return Math.Sign(x.AsObjectId.CompareTo(y.AsObjectId));
            case BsonType.Boolean:
                return x.AsBoolean.CompareTo(y.AsBoolean);
            case BsonType.DateTime:
                return Math.Sign(x.AsBsonDateTime.MillisecondsSinceEpoch.CompareTo(y.AsBsonDateTime.MillisecondsSinceEpoch));
            case BsonType.Timestamp:
                return Math.Sign(((ulong)x.AsBsonTimestamp.Value).CompareTo((ulong)y.AsBsonTimestamp.Value));
            case BsonType.RegularExpression:
                {
                    var byPattern = CompareStrings(x.AsBsonRegularExpression.Pattern, y.AsBsonRegularExpression.Pattern);
                    return byPattern != 0
                        ? byPattern
                        : CompareStrings(x.AsBsonRegularExpression.Options, y.AsBsonRegularExpression.Options);
                }

            case BsonType.JavaScript:
                return CompareStrings(x.AsBsonJavaScript.Code, y.AsBsonJavaScript.Code);
            default:
                throw MongoServerException.NotSupported($"Comparing values of BSON type {x.BsonType}");
        }
    }

    public bool Equals(BsonValue? x, BsonValue? y) => Compare(x, y) == 0;

    public int GetHashCode(BsonValue obj) => obj.BsonType switch
    {
        // Equal numbers of different types must hash alike.
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => ToDouble(obj).GetHashCode(),
        BsonType.Symbol => obj.AsBsonSymbol.Name.GetHashCode(StringComparison.Ordinal),
        BsonType.Undefined => BsonNull.Value.GetHashCode(),
        BsonType.Document => HashElements(obj.AsBsonDocument.Select(e => (e.Name.GetHashCode(StringComparison.Ordinal), e.Value))),
        BsonType.Array => HashElements(obj.AsBsonArray.Select(v => (0, v))),
        _ => obj.GetHashCode(),
    };

    private int HashElements(IEnumerable<(int Name, BsonValue Value)> elements)
    {
        var hash = default(HashCode);
        foreach (var (name, value) in elements)
        {
            hash.Add(name);
            hash.Add(GetHashCode(value));
        }

        return hash.ToHashCode();
    }

    /// <summary>Compares strings by their UTF-8 bytes, as MongoDB's simple (binary) collation does.</summary>
    public static int CompareStrings(string a, string b)
    {
        if (Ascii.IsValid(a) && Ascii.IsValid(b))
        {
            return Math.Sign(string.CompareOrdinal(a, b));
        }

        return Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));
    }

    public static int CompareNumbers(BsonValue x, BsonValue y)
    {
        if (x.BsonType == BsonType.Decimal128 || y.BsonType == BsonType.Decimal128)
        {
            var dx = ToDecimal128(x);
            var dy = ToDecimal128(y);
            var xNaN = Decimal128.IsNaN(dx);
            var yNaN = Decimal128.IsNaN(dy);
            if (xNaN || yNaN)
            {
                return xNaN && yNaN ? 0 : xNaN ? -1 : 1;
            }

            if (Decimal128.IsInfinity(dx) || Decimal128.IsInfinity(dy))
            {
                return ToDouble(x).CompareTo(ToDouble(y));
            }

            try
            {
                return Math.Sign(decimal.Compare(Decimal128.ToDecimal(dx), Decimal128.ToDecimal(dy)));
            }
            catch (OverflowException)
            {
                return Math.Sign(ToDouble(x).CompareTo(ToDouble(y)));
            }
        }

        if (x.BsonType == BsonType.Double || y.BsonType == BsonType.Double)
        {
            var a = ToDouble(x);
            var b = ToDouble(y);
            if (double.IsNaN(a) || double.IsNaN(b))
            {
                return double.IsNaN(a) && double.IsNaN(b) ? 0 : double.IsNaN(a) ? -1 : 1;
            }

            // A long compared with a double must not lose precision when both are integral and large.
            if (x.BsonType == BsonType.Int64 && Math.Abs(b) < 9.2e18 && b == Math.Floor(b))
            {
                return x.AsInt64.CompareTo((long)b);
            }

            if (y.BsonType == BsonType.Int64 && Math.Abs(a) < 9.2e18 && a == Math.Floor(a))
            {
                return ((long)a).CompareTo(y.AsInt64);
            }

            return a.CompareTo(b);
        }

        return ToInt64(x).CompareTo(ToInt64(y));
    }

    public static double ToDouble(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => value.AsInt32,
        BsonType.Int64 => value.AsInt64,
        BsonType.Double => value.AsDouble,
        BsonType.Decimal128 => Decimal128.ToDouble(value.AsDecimal128),
        _ => throw new InvalidOperationException($"{value.BsonType} is not a number"),
    };

    public static long ToInt64(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => value.AsInt32,
        BsonType.Int64 => value.AsInt64,
        BsonType.Double => (long)value.AsDouble,
        BsonType.Decimal128 => Decimal128.ToInt64(value.AsDecimal128),
        _ => throw new InvalidOperationException($"{value.BsonType} is not a number"),
    };

    public static Decimal128 ToDecimal128(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => new Decimal128(value.AsInt32),
        BsonType.Int64 => new Decimal128(value.AsInt64),
        BsonType.Double => new Decimal128(value.AsDouble),
        BsonType.Decimal128 => value.AsDecimal128,
        _ => throw new InvalidOperationException($"{value.BsonType} is not a number"),
    };

    private static string StringOf(BsonValue value) =>
        value.BsonType == BsonType.Symbol ? value.AsBsonSymbol.Name : value.AsString;

    private int CompareDocuments(BsonDocument a, BsonDocument b)
    {
        var count = Math.Min(a.ElementCount, b.ElementCount);
        for (var i = 0; i < count; i++)
        {
            var ea = a.GetElement(i);
            var eb = b.GetElement(i);
            var byType = CanonicalRank(ea.Value).CompareTo(CanonicalRank(eb.Value));
            if (byType != 0)
            {
                return Math.Sign(byType);
            }

            var byName = CompareStrings(ea.Name, eb.Name);
            if (byName != 0)
            {
                return byName;
            }

            var byValue = Compare(ea.Value, eb.Value);
            if (byValue != 0)
            {
                return byValue;
            }
        }

        return a.ElementCount.CompareTo(b.ElementCount);
    }

    private int CompareArrays(BsonArray a, BsonArray b)
    {
        var count = Math.Min(a.Count, b.Count);
        for (var i = 0; i < count; i++)
        {
            var byValue = Compare(a[i], b[i]);
            if (byValue != 0)
            {
                return byValue;
            }
        }

        return a.Count.CompareTo(b.Count);
    }
}
