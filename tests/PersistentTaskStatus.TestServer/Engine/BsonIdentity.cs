using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine;

/// <summary>
/// Binary equality of values (the server's <c>binaryEqualValues</c> / <c>BSONObj::binaryEqual</c>): same types, same
/// field names in the same order, same bytes. Distinct from <see cref="BsonOrder"/>'s equality (where <c>1</c>,
/// <c>1.0</c> and <c>NumberDecimal('1.00')</c> are equal) and from the driver's <c>BsonValue.Equals</c> (where a
/// document holding NaN is not even equal to itself). The server uses it to tell a no-op update from a change: a
/// <c>{$set: {a: 1.0}}</c> on <c>{a: 1}</c> is a change, one that writes back the same NaN is not.
/// </summary>
internal static class BsonIdentity
{
    public static bool Same(BsonValue a, BsonValue b)
    {
        if (a.BsonType != b.BsonType)
        {
            return false;
        }

        switch (a)
        {
            case BsonDocument x:
                {
                    var y = b.AsBsonDocument;
                    if (x.ElementCount != y.ElementCount)
                    {
                        return false;
                    }

                    for (var i = 0; i < x.ElementCount; i++)
                    {
                        if (x.GetElement(i).Name != y.GetElement(i).Name || !Same(x[i], y[i]))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            case BsonArray x:
                {
                    var y = b.AsBsonArray;
                    if (x.Count != y.Count)
                    {
                        return false;
                    }

                    for (var i = 0; i < x.Count; i++)
                    {
                        if (!Same(x[i], y[i]))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            case BsonDouble x:
                return BitConverter.DoubleToInt64Bits(x.Value) == BitConverter.DoubleToInt64Bits(b.AsDouble);
            case BsonDecimal128 x:
                {
                    // Decimal128 equality is by value (1.0 equals 1.00); the bytes differ.
                    var y = b.AsDecimal128;
                    return x.Value.GetIEEEHighBits() == y.GetIEEEHighBits() && x.Value.GetIEEELowBits() == y.GetIEEELowBits();
                }

            default:
                return a.Equals(b);
        }
    }
}
