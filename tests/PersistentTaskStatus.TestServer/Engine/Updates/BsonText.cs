using System.Globalization;
using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// Renders values the way the server's <c>BSONElement::toString</c> does, because MongoDB's update error messages
/// embed documents and elements in that form (<c>Cannot create field 'b' in element {a: 1}</c>).
/// </summary>
internal static class BsonText
{
    /// <summary>An element as <c>name: value</c>.</summary>
    public static string Element(string name, BsonValue value) => $"{name}: {Value(value)}";

    public static string Value(BsonValue value) => value.BsonType switch
    {
        BsonType.Document => Document(value.AsBsonDocument),
        BsonType.Array => value.AsBsonArray.Count == 0
            ? "[]"
            : "[ " + string.Join(", ", value.AsBsonArray.Select(Value)) + " ]",
        BsonType.String => "\"" + value.AsString + "\"",
        BsonType.Int32 => value.AsInt32.ToString(CultureInfo.InvariantCulture),
        BsonType.Int64 => value.AsInt64.ToString(CultureInfo.InvariantCulture),
        BsonType.Double => Double(value.AsDouble),
        BsonType.Decimal128 => value.AsDecimal128.ToString(),
        BsonType.Boolean => value.AsBoolean ? "true" : "false",
        BsonType.Null => "null",
        BsonType.ObjectId => $"ObjectId('{value.AsObjectId}')",
        BsonType.DateTime => $"new Date({value.AsBsonDateTime.MillisecondsSinceEpoch})",
        BsonType.Timestamp => $"Timestamp({value.AsBsonTimestamp.Timestamp}, {value.AsBsonTimestamp.Increment})",
        BsonType.RegularExpression => $"/{value.AsBsonRegularExpression.Pattern}/{value.AsBsonRegularExpression.Options}",
        BsonType.MinKey => "MinKey",
        BsonType.MaxKey => "MaxKey",
        _ => value.ToString() ?? string.Empty,
    };

    public static string Document(BsonDocument document) => document.ElementCount == 0
        ? "{}"
        : "{ " + string.Join(", ", document.Elements.Select(e => Element(e.Name, e.Value))) + " }";

    /// <summary>The server's type names, as used by <c>typeName()</c> in error messages.</summary>
    public static string TypeName(BsonValue value) => BsonTypeNames.Of(value);

    private static string Double(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan.0";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf.0" : "-inf.0";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return value == Math.Floor(value) && !text.Contains('E', StringComparison.Ordinal) ? text + ".0" : text;
    }
}
