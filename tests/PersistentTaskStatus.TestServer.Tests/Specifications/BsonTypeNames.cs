namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The string aliases of the <c>$type</c> query operator, which <c>$$type</c> uses.
/// https://www.mongodb.com/docs/manual/reference/operator/query/type/#available-types
/// </summary>
internal static class BsonTypeNames
{
    private static readonly Dictionary<string, BsonType> ByName = new(StringComparer.Ordinal)
    {
        ["double"] = BsonType.Double,
        ["string"] = BsonType.String,
        ["object"] = BsonType.Document,
        ["array"] = BsonType.Array,
        ["binData"] = BsonType.Binary,
        ["undefined"] = BsonType.Undefined,
        ["objectId"] = BsonType.ObjectId,
        ["bool"] = BsonType.Boolean,
        ["date"] = BsonType.DateTime,
        ["null"] = BsonType.Null,
        ["regex"] = BsonType.RegularExpression,
        ["javascript"] = BsonType.JavaScript,
        ["symbol"] = BsonType.Symbol,
        ["javascriptWithScope"] = BsonType.JavaScriptWithScope,
        ["int"] = BsonType.Int32,
        ["timestamp"] = BsonType.Timestamp,
        ["long"] = BsonType.Int64,
        ["decimal"] = BsonType.Decimal128,
        ["minKey"] = BsonType.MinKey,
        ["maxKey"] = BsonType.MaxKey,
    };

    public static bool Matches(string name, BsonType type)
    {
        if (name == "number")
        {
            return type is BsonType.Double or BsonType.Int32 or BsonType.Int64 or BsonType.Decimal128;
        }

        if (name == "dbPointer")
        {
            // The C# BSON library reads DBPointer as a deprecated type it does not model; no spec file asserts it.
            throw new NotSupportedException("$$type 'dbPointer' is not supported by this runner.");
        }

        return ByName.TryGetValue(name, out var expected)
            ? expected == type
            : throw new NotSupportedException($"$$type '{name}' is not a $type alias this runner knows.");
    }
}
