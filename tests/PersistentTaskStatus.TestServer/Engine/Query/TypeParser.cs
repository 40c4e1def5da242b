using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>
/// The arguments of <c>$type</c> (https://www.mongodb.com/docs/manual/reference/operator/query/type/): BSON type
/// numbers, their string aliases, "number", or an array of those.
/// </summary>
internal static class TypeParser
{
    // dbPointer (12) has no representation in MongoDB.Bson, so it is accepted and matches nothing.
    private static readonly Dictionary<string, (int Code, BsonType? Type)> Aliases = new(StringComparer.Ordinal)
    {
        ["double"] = (1, BsonType.Double),
        ["string"] = (2, BsonType.String),
        ["object"] = (3, BsonType.Document),
        ["array"] = (4, BsonType.Array),
        ["binData"] = (5, BsonType.Binary),
        ["undefined"] = (6, BsonType.Undefined),
        ["objectId"] = (7, BsonType.ObjectId),
        ["bool"] = (8, BsonType.Boolean),
        ["date"] = (9, BsonType.DateTime),
        ["null"] = (10, BsonType.Null),
        ["regex"] = (11, BsonType.RegularExpression),
        ["dbPointer"] = (12, null),
        ["javascript"] = (13, BsonType.JavaScript),
        ["symbol"] = (14, BsonType.Symbol),
        ["javascriptWithScope"] = (15, BsonType.JavaScriptWithScope),
        ["int"] = (16, BsonType.Int32),
        ["timestamp"] = (17, BsonType.Timestamp),
        ["long"] = (18, BsonType.Int64),
        ["decimal"] = (19, BsonType.Decimal128),
        ["minKey"] = (-1, BsonType.MinKey),
        ["maxKey"] = (127, BsonType.MaxKey),
    };

    private static readonly Dictionary<int, BsonType?> Codes =
        Aliases.Values.ToDictionary(a => a.Code, a => a.Type);

    public static TypePredicate Parse(string path, BsonValue value)
    {
        var types = new HashSet<BsonType>();
        var anyNumber = false;
        if (value is BsonArray array)
        {
            foreach (var item in array)
            {
                anyNumber |= Add(item, types);
            }

            if (array.Count == 0)
            {
                throw MongoServerException.FailedToParse($"{path} must match at least one type");
            }
        }
        else
        {
            anyNumber = Add(value, types);
        }

        return new TypePredicate(types, anyNumber);
    }

    /// <summary>Adds one type argument; returns true for the "number" alias.</summary>
    private static bool Add(BsonValue value, HashSet<BsonType> types)
    {
        if (value is BsonString alias)
        {
            if (alias.Value == "number")
            {
                return true;
            }

            if (!Aliases.TryGetValue(alias.Value, out var entry))
            {
                throw MongoServerException.BadValue($"Unknown type name alias: {alias.Value}");
            }

            AddType(entry.Type, types);
            return false;
        }

        if (!BsonOrder.IsNumber(value))
        {
            throw MongoServerException.TypeMismatch("type must be represented as a number or a string");
        }

        var number = BsonOrder.ToDouble(value);
        if (number != Math.Floor(number) || number is < int.MinValue or > int.MaxValue
            || !Codes.TryGetValue((int)number, out var type))
        {
            throw MongoServerException.BadValue($"Invalid numerical type code: {OperatorParser.FormatNumber(value)}");
        }

        AddType(type, types);
        return false;
    }

    private static void AddType(BsonType? type, HashSet<BsonType> types)
    {
        if (type is { } known)
        {
            types.Add(known);
        }
    }
}
