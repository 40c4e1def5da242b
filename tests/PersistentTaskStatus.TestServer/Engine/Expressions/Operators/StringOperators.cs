using System.Globalization;
using System.Text;
using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// $concat $toLower $toUpper $strLenCP $strLenBytes $substrCP
/// (https://www.mongodb.com/docs/manual/reference/operator/aggregation/#string-expression-operators).
/// </summary>
internal static class StringOperators
{
    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$concat"] = OperatorShapes.Variadic(Concat);
        table["$toLower"] = OperatorShapes.Fixed(1, args => new BsonString(MapAscii(Coerce("$toLower", args[0]), char.ToLowerInvariant)));
        table["$toUpper"] = OperatorShapes.Fixed(1, args => new BsonString(MapAscii(Coerce("$toUpper", args[0]), char.ToUpperInvariant)));
        table["$strLenCP"] = OperatorShapes.Fixed(1, args => args[0] is BsonString s
            ? new BsonInt32(CodePoints(s.Value).Count)
            : throw OperatorShapes.Error(34471, $"$strLenCP requires a string argument, found: {Values.TypeName(args[0])}"));
        table["$strLenBytes"] = OperatorShapes.Fixed(1, args => args[0] is BsonString s
            ? new BsonInt32(Encoding.UTF8.GetByteCount(s.Value))
            : throw OperatorShapes.Error(34473, $"$strLenBytes requires a string argument, found: {Values.TypeName(args[0])}"));
        table["$substrCP"] = OperatorShapes.Fixed(3, SubstrCodePoints);
    }

    private static BsonValue Concat(BsonValue?[] args)
    {
        var result = new StringBuilder();
        foreach (var arg in args)
        {
            if (Values.IsNullish(arg))
            {
                return BsonNull.Value;
            }

            if (arg is not BsonString s)
            {
                throw OperatorShapes.Error(16702, $"$concat only supports strings, not {Values.TypeName(arg)}");
            }

            result.Append(s.Value);
        }

        return new BsonString(result.ToString());
    }

    // The string operators that take "any expression that resolves to a string" accept numbers, dates and so on as
    // their string form; null and missing are the empty string.
    private static string Coerce(string name, BsonValue? value)
    {
        if (Values.IsNullish(value))
        {
            return string.Empty;
        }

        return value!.BsonType switch
        {
            BsonType.String => value.AsString,
            BsonType.Symbol => value.AsBsonSymbol.Name,
            BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 or BsonType.DateTime =>
                ConversionOperators.Convert(value, "string").AsString,
            _ => throw OperatorShapes.Error(16007, $"can't convert from BSON type {Values.TypeName(value)} to String"),
        };
    }

    // MongoDB changes the case of ASCII letters only ("only has a well-defined behavior for strings of ASCII characters").
    private static string MapAscii(string text, Func<char, char> map)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsAscii(chars[i]))
            {
                chars[i] = map(chars[i]);
            }
        }

        return new string(chars);
    }

    private static List<string> CodePoints(string text)
    {
        var result = new List<string>(text.Length);
        var enumerator = text.EnumerateRunes();
        foreach (var rune in enumerator)
        {
            result.Add(rune.ToString());
        }

        return result;
    }

    private static BsonValue SubstrCodePoints(BsonValue?[] args)
    {
        var text = Coerce("$substrCP", args[0]);
        if (args[1] is null || !BsonOrder.IsNumber(args[1]!))
        {
            throw OperatorShapes.Error(34450, $"$substrCP: starting index must be a numeric type (is BSON type {Values.TypeName(args[1])})");
        }

        if (!Values.TryGetInt32(args[1], out var start))
        {
            throw OperatorShapes.Error(34451, $"$substrCP: starting index cannot be represented as a 32-bit integral value: {Values.Render(args[1])}");
        }

        if (args[2] is null || !BsonOrder.IsNumber(args[2]!))
        {
            throw OperatorShapes.Error(34452, $"$substrCP: length must be a numeric type (is BSON type {Values.TypeName(args[2])})");
        }

        if (!Values.TryGetInt32(args[2], out var length))
        {
            throw OperatorShapes.Error(34453, $"$substrCP: length cannot be represented as a 32-bit integral value: {Values.Render(args[2])}");
        }

        if (length < 0)
        {
            throw OperatorShapes.Error(34454, "$substrCP: length must be a nonnegative integer.");
        }

        if (start < 0)
        {
            throw OperatorShapes.Error(34455, "$substrCP: the starting index must be nonnegative integer.");
        }

        var codePoints = CodePoints(text);
        return new BsonString(string.Concat(codePoints.Skip(start).Take(length)));
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
