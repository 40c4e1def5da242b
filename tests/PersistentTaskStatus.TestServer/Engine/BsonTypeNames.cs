using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine;

/// <summary>MongoDB's names of the BSON types, as <c>$type</c> reports them and error messages quote them.</summary>
internal static class BsonTypeNames
{
    /// <summary>The type name of a value; C# null (a missing value) is "missing".</summary>
    public static string Of(BsonValue? value) => value?.BsonType switch
    {
        null => "missing",
        BsonType.Double => "double",
        BsonType.String => "string",
        BsonType.Document => "object",
        BsonType.Array => "array",
        BsonType.Binary => "binData",
        BsonType.Undefined => "undefined",
        BsonType.ObjectId => "objectId",
        BsonType.Boolean => "bool",
        BsonType.DateTime => "date",
        BsonType.Null => "null",
        BsonType.RegularExpression => "regex",
        BsonType.JavaScript => "javascript",
        BsonType.Symbol => "symbol",
        BsonType.JavaScriptWithScope => "javascriptWithScope",
        BsonType.Int32 => "int",
        BsonType.Timestamp => "timestamp",
        BsonType.Int64 => "long",
        BsonType.Decimal128 => "decimal",
        BsonType.MinKey => "minKey",
        BsonType.MaxKey => "maxKey",
        _ => value.BsonType.ToString(),
    };
}
