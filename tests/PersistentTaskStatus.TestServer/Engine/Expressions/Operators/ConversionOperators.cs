using System.Globalization;
using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// $type, $convert and its shorthands $toString $toInt $toLong $toDouble $toDecimal $toDate $toBool $toObjectId
/// (https://www.mongodb.com/docs/manual/reference/operator/aggregation/convert/). Null or missing input gives null.
/// </summary>
internal static class ConversionOperators
{
    private const int ConversionFailure = 241;

    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$type"] = OperatorShapes.Fixed(1, args => new BsonString(Values.TypeName(args[0])));
        foreach (var (name, target) in new[]
        {
            ("$toString", "string"), ("$toInt", "int"), ("$toLong", "long"), ("$toDouble", "double"),
            ("$toDecimal", "decimal"), ("$toDate", "date"), ("$toBool", "bool"), ("$toObjectId", "objectId"),
        })
        {
            table[name] = OperatorShapes.Fixed(1, args => Values.IsNullish(args[0]) ? BsonNull.Value : Convert(args[0]!, target));
        }

        table["$convert"] = ParseConvert;
    }

    private static CompiledExpression ParseConvert(string name, BsonValue operand)
    {
        var spec = OperatorShapes.NamedArguments(name, operand, 9);
        CompiledExpression? input = null, to = null, onError = null, onNull = null;
        foreach (var element in spec)
        {
            var parsed = ExpressionEvaluator.Parse(element.Value);
            switch (element.Name)
            {
                case "input":
                    input = parsed;
                    break;
                case "to":
                    to = parsed;
                    break;
                case "onError":
                    onError = parsed;
                    break;
                case "onNull":
                    onNull = parsed;
                    break;
                default:
                    throw MongoServerException.FailedToParse($"$convert found an unknown argument: {element.Name}");
            }
        }

        if (input is null)
        {
            throw MongoServerException.FailedToParse("Missing 'input' parameter to $convert");
        }

        if (to is null)
        {
            throw MongoServerException.FailedToParse("Missing 'to' parameter to $convert");
        }

        return new SpecialFormExpression(scope =>
        {
            var value = input.Evaluate(scope);
            var target = TargetName(to.Evaluate(scope));
            if (Values.IsNullish(value) || target is null)
            {
                return onNull is null ? BsonNull.Value : onNull.Evaluate(scope);
            }

            try
            {
                return Convert(value!, target);
            }
            catch (MongoServerException e) when (e.Code == ConversionFailure && onError is not null)
            {
                return onError.Evaluate(scope);
            }
        });
    }

    // 'to' is a type name or a BSON type number; null 'to' makes the result the onNull value.
    private static string? TargetName(BsonValue? to)
    {
        if (Values.IsNullish(to))
        {
            return null;
        }

        if (to is BsonString s)
        {
            return s.Value is "double" or "string" or "objectId" or "bool" or "date" or "int" or "long" or "decimal"
                ? s.Value
                : throw MongoServerException.BadValue($"Unknown type name: {s.Value}");
        }

        if (Values.TryGetInt32(to, out var code))
        {
            return code switch
            {
                1 => "double",
                2 => "string",
                7 => "objectId",
                8 => "bool",
                9 => "date",
                16 => "int",
                18 => "long",
                19 => "decimal",
                _ => throw MongoServerException.BadValue($"Invalid 'to' argument to $convert: {code}"),
            };
        }

        throw MongoServerException.BadValue($"$convert's 'to' argument must be a string or number, but is {Values.TypeName(to)}");
    }

    public static BsonValue Convert(BsonValue value, string target) => target switch
    {
        "string" => ToStringValue(value),
        "int" => ToInt(value),
        "long" => ToLong(value),
        "double" => ToDouble(value),
        "decimal" => ToDecimalValue(value),
        "date" => ToDate(value),
        "bool" => ToBool(value),
        "objectId" => ToObjectId(value),
        _ => throw Unsupported(value, target),
    };

    private static BsonValue ToStringValue(BsonValue value) => value.BsonType switch
    {
        BsonType.String => value,
        BsonType.Int32 => new BsonString(value.AsInt32.ToString(CultureInfo.InvariantCulture)),
        BsonType.Int64 => new BsonString(value.AsInt64.ToString(CultureInfo.InvariantCulture)),
        BsonType.Double => new BsonString(FormatDouble(value.AsDouble)),
        BsonType.Decimal128 => new BsonString(value.AsDecimal128.ToString()),
        BsonType.Boolean => new BsonString(value.AsBoolean ? "true" : "false"),
        BsonType.DateTime => new BsonString(FormatDate(value.AsBsonDateTime)),
        BsonType.ObjectId => new BsonString(value.AsObjectId.ToString()),
        _ => throw Unsupported(value, "string"),
    };

    private static BsonValue ToInt(BsonValue value)
    {
        switch (value.BsonType)
        {
            case BsonType.Int32:
                return value;
            case BsonType.Boolean:
                return new BsonInt32(value.AsBoolean ? 1 : 0);
            case BsonType.String:
                return int.TryParse(value.AsString, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                    ? new BsonInt32(parsed)
                    : throw ParseFailure(value.AsString);
            case BsonType.Int64 or BsonType.Double or BsonType.Decimal128:
                var truncated = Truncate(value, "int");
                return truncated is >= int.MinValue and <= int.MaxValue
                    ? new BsonInt32((int)truncated)
                    : throw Overflow(value, "int");
            default:
                throw Unsupported(value, "int");
        }
    }

    private static BsonValue ToLong(BsonValue value)
    {
        switch (value.BsonType)
        {
            case BsonType.Int64:
                return value;
            case BsonType.Int32:
                return new BsonInt64(value.AsInt32);
            case BsonType.Boolean:
                return new BsonInt64(value.AsBoolean ? 1 : 0);
            case BsonType.DateTime:
                return new BsonInt64(value.AsBsonDateTime.MillisecondsSinceEpoch);
            case BsonType.String:
                return long.TryParse(value.AsString, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                    ? new BsonInt64(parsed)
                    : throw ParseFailure(value.AsString);
            case BsonType.Double or BsonType.Decimal128:
                return new BsonInt64(Truncate(value, "long"));
            default:
                throw Unsupported(value, "long");
        }
    }

    private static BsonValue ToDouble(BsonValue value)
    {
        switch (value.BsonType)
        {
            case BsonType.Double:
                return value;
            case BsonType.Int32 or BsonType.Int64 or BsonType.Decimal128:
                return new BsonDouble(BsonOrder.ToDouble(value));
            case BsonType.Boolean:
                return new BsonDouble(value.AsBoolean ? 1 : 0);
            case BsonType.DateTime:
                return new BsonDouble(value.AsBsonDateTime.MillisecondsSinceEpoch);
            case BsonType.String:
                var text = value.AsString;
                if (text is "NaN" or "nan")
                {
                    return new BsonDouble(double.NaN);
                }

                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && !text.Any(char.IsWhiteSpace)
                    ? new BsonDouble(parsed)
                    : throw ParseFailure(text);
            default:
                throw Unsupported(value, "double");
        }
    }

    private static BsonValue ToDecimalValue(BsonValue value) => value.BsonType switch
    {
        BsonType.Decimal128 => value,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double => new BsonDecimal128(BsonOrder.ToDecimal128(value)),
        BsonType.Boolean => new BsonDecimal128(new Decimal128(value.AsBoolean ? 1 : 0)),
        BsonType.DateTime => new BsonDecimal128(new Decimal128(value.AsBsonDateTime.MillisecondsSinceEpoch)),
        BsonType.String => Decimal128.TryParse(value.AsString, out var parsed) ? new BsonDecimal128(parsed) : throw ParseFailure(value.AsString),
        _ => throw Unsupported(value, "decimal"),
    };

    // An int32 is not accepted ($toDate's table lists double, decimal, long, string, objectId, timestamp, date).
    private static BsonValue ToDate(BsonValue value) => value.BsonType switch
    {
        BsonType.DateTime => value,
        BsonType.Int64 => new BsonDateTime(value.AsInt64),
        BsonType.Double or BsonType.Decimal128 => new BsonDateTime(Truncate(value, "date")),
        BsonType.ObjectId => new BsonDateTime(value.AsObjectId.CreationTime),
        BsonType.Timestamp => new BsonDateTime(value.AsBsonTimestamp.Timestamp * 1000L),
        BsonType.String => ParseDate(value.AsString),
        _ => throw Unsupported(value, "date"),
    };

    private static BsonValue ToBool(BsonValue value) => value.BsonType switch
    {
        BsonType.Boolean => value,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => Values.Bool(Values.IsTrue(value)),
        _ => BsonBoolean.True,
    };

    private static BsonValue ToObjectId(BsonValue value) => value.BsonType switch
    {
        BsonType.ObjectId => value,
        BsonType.String => value.AsString.Length == 24 && ObjectId.TryParse(value.AsString, out var id)
            ? new BsonObjectId(id)
            : throw new MongoServerException(ConversionFailure, "ConversionFailure", $"Failed to parse objectId '{value.AsString}' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found {value.AsString.Length}"),
        _ => throw Unsupported(value, "objectId"),
    };

    private static long Truncate(BsonValue value, string target)
    {
        if (value.BsonType == BsonType.Double)
        {
            var d = value.AsDouble;
            if (double.IsNaN(d) || double.IsInfinity(d))
            {
                throw new MongoServerException(ConversionFailure, "ConversionFailure", $"Attempt to convert {(double.IsNaN(d) ? "NaN" : "infinity")} value to integer type in $convert with no onError value");
            }

            return d >= -9.2233720368547758e18 && d < 9.2233720368547758e18 ? (long)d : throw Overflow(value, target);
        }

        try
        {
            return BsonOrder.ToInt64(value);
        }
        catch (OverflowException)
        {
            throw Overflow(value, target);
        }
    }

    private static BsonDateTime ParseDate(string text)
    {
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            return new BsonDateTime(date);
        }

        throw new MongoServerException(ConversionFailure, "ConversionFailure", $"Error parsing date string '{text}' in $convert with no onError value");
    }

    /// <summary>Dates render as ISO-8601 UTC with milliseconds, as $toString does ("2018-03-27T04:08:58.000Z").</summary>
    public static string FormatDate(BsonDateTime date) =>
        DateTimeOffset.FromUnixTimeMilliseconds(date.MillisecondsSinceEpoch).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string FormatDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        return value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
    }

    private static MongoServerException Unsupported(BsonValue value, string target) =>
        new(ConversionFailure, "ConversionFailure", $"Unsupported conversion from {Values.TypeName(value)} to {target} in $convert with no onError value");

    private static MongoServerException Overflow(BsonValue value, string target) =>
        new(ConversionFailure, "ConversionFailure", $"Conversion would overflow target type in $convert with no onError value: {Values.Render(value)} to {target}");

    private static MongoServerException ParseFailure(string text) =>
        new(ConversionFailure, "ConversionFailure", $"Failed to parse number '{text}' in $convert with no onError value: Did not consume whole string.");
}
