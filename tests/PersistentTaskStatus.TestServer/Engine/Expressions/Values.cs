using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>Small rules about values that many operators share. C# null is "missing".</summary>
internal static class Values
{
    /// <summary>MongoDB's type names, as <c>$type</c> reports them and error messages quote them.</summary>
    public static string TypeName(BsonValue? value) => BsonTypeNames.Of(value);

    /// <summary>Null, missing and undefined: what most operators answer with null.</summary>
    public static bool IsNullish(BsonValue? value) => value is null || value.BsonType is BsonType.Null or BsonType.Undefined;

    /// <summary>
    /// Truthiness of $cond, $and, $or, $not, $filter: false, null, missing, undefined and numeric zero are false
    /// (https://www.mongodb.com/docs/manual/reference/operator/aggregation/and/#behavior).
    /// </summary>
    public static bool IsTrue(BsonValue? value) => value?.BsonType switch
    {
        null or BsonType.Null or BsonType.Undefined => false,
        BsonType.Boolean => value.AsBoolean,
        BsonType.Int32 => value.AsInt32 != 0,
        BsonType.Int64 => value.AsInt64 != 0,
        BsonType.Double => value.AsDouble != 0,
        BsonType.Decimal128 => !Decimal128.IsZero(value.AsDecimal128),
        _ => true,
    };

    /// <summary>Compares with missing ranked like undefined, below null, as the server's Value::compare does.</summary>
    public static int Compare(BsonValue? x, BsonValue? y) =>
        BsonOrder.Instance.Compare(x ?? BsonUndefined.Value, y ?? BsonUndefined.Value);

    public static BsonValue Bool(bool value) => value ? BsonBoolean.True : BsonBoolean.False;

    /// <summary>The value as an int when it is a number with an exact 32-bit integral value.</summary>
    public static bool TryGetInt32(BsonValue? value, out int result)
    {
        result = 0;
        if (value is null || !BsonOrder.IsNumber(value))
        {
            return false;
        }

        switch (value.BsonType)
        {
            case BsonType.Int32:
                result = value.AsInt32;
                return true;
            case BsonType.Int64:
                if (value.AsInt64 is < int.MinValue or > int.MaxValue)
                {
                    return false;
                }

                result = (int)value.AsInt64;
                return true;
            default:
                var d = BsonOrder.ToDouble(value);
                if (double.IsNaN(d) || d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue)
                {
                    return false;
                }

                result = (int)d;
                return true;
        }
    }

    /// <summary>The server's rendering of a value in messages, close enough to be recognisable (relaxed JSON).</summary>
    public static string Render(BsonValue? value) => value switch
    {
        null => "missing",
        BsonString s => s.Value,
        _ => value.ToJson(new MongoDB.Bson.IO.JsonWriterSettings { OutputMode = MongoDB.Bson.IO.JsonOutputMode.RelaxedExtendedJson }),
    };
}
