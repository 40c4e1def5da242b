using System.Globalization;
using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>
/// Parses the operators of one field (<c>{ path: { $op: value, ... } }</c>), both against a path and, inside a
/// value-form <c>$elemMatch</c>, against single array elements.
/// </summary>
internal static class OperatorParser
{
    private static readonly HashSet<string> Unsupported =
    [
        "$near", "$nearSphere", "$geoWithin", "$geoIntersects", "$within", "$bitsAllSet", "$bitsAllClear",
        "$bitsAnySet", "$bitsAnyClear",
    ];

    public static void ParsePathOperators(string path, BsonDocument operators, List<IMatcher> children)
    {
        var regex = RegexFromOperators(operators);
        foreach (var element in operators)
        {
            switch (element.Name)
            {
                case "$options":
                    continue;
                case "$regex":
                    children.Add(new PathMatcher(path, regex!, expandLeafArrays: true));
                    continue;
                default:
                    children.Add(ParsePathOperator(path, element.Name, element.Value));
                    break;
            }
        }
    }

    /// <summary>The operators of a value-form <c>$elemMatch</c>, all applied to the same element.</summary>
    public static IValuePredicate ParseValueOperators(string path, BsonDocument operators)
    {
        var regex = RegexFromOperators(operators);
        var predicates = new List<IValuePredicate>();
        foreach (var element in operators)
        {
            var name = element.Name;
            var value = element.Value;
            switch (name)
            {
                case "$options":
                    continue;
                case "$regex":
                    predicates.Add(regex!);
                    break;
                case "$ne":
                    predicates.Add(new NotPredicate(ParseNe(value)));
                    break;
                case "$nin":
                    predicates.Add(new NotPredicate(ParseIn(name, value)));
                    break;
                case "$not":
                    predicates.Add(new NotPredicate(ParseNotOperand(value, d => ParseValueOperators(path, d))));
                    break;
                case "$exists":
                    predicates.Add(IsTrue(value) ? ExistsPredicate.Instance : new NotPredicate(ExistsPredicate.Instance));
                    break;
                case "$all":
                    {
                        var all = ParseAllOperands(path, value);
                        predicates.Add(all.Count == 0 ? NeverPredicate.Instance : new AllPredicate(all.Select(a => a.Predicate).ToList()));
                        break;
                    }

                default:
                    predicates.Add(ParsePositive(path, name, value).Predicate);
                    break;
            }
        }

        return predicates.Count == 1 ? predicates[0] : new AllPredicate(predicates);
    }

    public static RegexPredicate RegexFrom(BsonRegularExpression regex, string? options)
    {
        if (!string.IsNullOrEmpty(options) && regex.Options.Length > 0)
        {
            throw new MongoServerException(51075, "Location51075", "options set in both $regex and $options");
        }

        return new RegexPredicate(regex.Pattern, regex.Options.Length > 0 ? regex.Options : options ?? string.Empty);
    }

    /// <summary>The truthiness of a BSON value as an argument (<c>$exists: 0</c> is false).</summary>
    public static bool IsTrue(BsonValue value) => value.BsonType switch
    {
        BsonType.Boolean => value.AsBoolean,
        BsonType.Null or BsonType.Undefined => false,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => BsonOrder.ToDouble(value) != 0,
        _ => true,
    };

    private static IMatcher ParsePathOperator(string path, string name, BsonValue value)
    {
        switch (name)
        {
            case "$ne":
                return new NotMatcher(new PathMatcher(path, ParseNe(value), expandLeafArrays: true));
            case "$nin":
                return new NotMatcher(new PathMatcher(path, ParseIn(name, value), expandLeafArrays: true));
            case "$not":
                return new NotMatcher(ParseNotOperand(value, operators =>
                {
                    var inner = new List<IMatcher>();
                    ParsePathOperators(path, operators, inner);
                    return inner.Count == 1 ? inner[0] : new AndMatcher(inner);
                }, regex => new PathMatcher(path, regex, expandLeafArrays: true)));
            case "$exists":
                {
                    var exists = new PathMatcher(path, ExistsPredicate.Instance, expandLeafArrays: true);
                    return IsTrue(value) ? exists : new NotMatcher(exists);
                }

            case "$all":
                {
                    // Each $all value may be matched by a different element, so each is its own path match.
                    var all = ParseAllOperands(path, value);
                    if (all.Count == 0)
                    {
                        return AlwaysFalseMatcher.Instance;
                    }

                    var children = all.Select(a => (IMatcher)new PathMatcher(path, a.Predicate, a.ExpandLeafArrays)).ToList();
                    return children.Count == 1 ? children[0] : new AndMatcher(children);
                }

            default:
                {
                    var (predicate, expand) = ParsePositive(path, name, value);
                    return new PathMatcher(path, predicate, expand);
                }
        }
    }

    private static IValuePredicate ParseNotOperand(BsonValue value, Func<BsonDocument, IValuePredicate> parseDocument) =>
        ParseNotOperand(value, parseDocument, regex => regex);

    private static T ParseNotOperand<T>(BsonValue value, Func<BsonDocument, T> parseDocument, Func<RegexPredicate, T> fromRegex)
    {
        switch (value)
        {
            case BsonRegularExpression regex:
                return fromRegex(RegexFrom(regex, null));
            case BsonDocument { ElementCount: 0 }:
                throw MongoServerException.BadValue("$not cannot be empty");
            case BsonDocument document:
                return parseDocument(document);
            default:
                throw MongoServerException.BadValue("$not needs a regex or a document");
        }
    }

    private static (IValuePredicate Predicate, bool ExpandLeafArrays) ParsePositive(string path, string name, BsonValue value)
    {
        switch (name)
        {
            case "$eq":
                return (new ComparisonPredicate(ComparisonOperator.Eq, value), true);
            case "$gt":
            case "$gte":
            case "$lt":
            case "$lte":
                if (value is BsonRegularExpression)
                {
                    throw MongoServerException.BadValue($"Can't have RegEx as arg to predicate over field '{path}'.");
                }

                return (new ComparisonPredicate(
                    name switch
                    {
                        "$gt" => ComparisonOperator.Gt,
                        "$gte" => ComparisonOperator.Gte,
                        "$lt" => ComparisonOperator.Lt,
                        _ => ComparisonOperator.Lte,
                    },
                    value), true);
            case "$in":
                return (ParseIn(name, value), true);
            case "$type":
                return (TypeParser.Parse(path, value), true);
            case "$size":
                return (ParseSize(value), false);
            case "$mod":
                return (ParseMod(value), true);
            case "$elemMatch":
                return (ParseElemMatch(path, value), false);
            default:
                if (Unsupported.Contains(name))
                {
                    throw MongoServerException.NotSupported($"The query operator {name}");
                }

                throw MongoServerException.BadValue($"unknown operator: {name}");
        }
    }

    private static IValuePredicate ParseNe(BsonValue value) =>
        value is BsonRegularExpression
            ? throw MongoServerException.BadValue("Can't have regex as arg to $ne.")
            : new ComparisonPredicate(ComparisonOperator.Eq, value);

    private static InPredicate ParseIn(string name, BsonValue value)
    {
        if (value is not BsonArray array)
        {
            throw MongoServerException.BadValue($"{name} needs an array");
        }

        var values = new List<BsonValue>();
        var regexes = new List<RegexPredicate>();
        foreach (var item in array)
        {
            if (item is BsonRegularExpression regex)
            {
                regexes.Add(RegexFrom(regex, null));
            }
            else if (FilterParser.IsOperatorDocument(item))
            {
                throw MongoServerException.BadValue($"cannot nest $ under {name}");
            }
            else
            {
                values.Add(item);
            }
        }

        return new InPredicate(values, regexes);
    }

    private static List<(IValuePredicate Predicate, bool ExpandLeafArrays)> ParseAllOperands(string path, BsonValue value)
    {
        if (value is not BsonArray array)
        {
            throw MongoServerException.BadValue("$all needs an array");
        }

        var operands = new List<(IValuePredicate, bool)>();
        var elemMatchForm = array.Count > 0 && IsElemMatchDocument(array[0]);
        foreach (var item in array)
        {
            if (elemMatchForm)
            {
                if (!IsElemMatchDocument(item))
                {
                    throw MongoServerException.BadValue("$all/$elemMatch has to be consistent");
                }

                operands.Add((ParseElemMatch(path, item.AsBsonDocument[0]), false));
            }
            else if (item is BsonRegularExpression regex)
            {
                operands.Add((RegexFrom(regex, null), true));
            }
            else if (FilterParser.IsOperatorDocument(item))
            {
                throw MongoServerException.BadValue("no $ expressions in $all");
            }
            else
            {
                operands.Add((new ComparisonPredicate(ComparisonOperator.Eq, item), true));
            }
        }

        return operands;
    }

    private static bool IsElemMatchDocument(BsonValue value) =>
        value is BsonDocument { ElementCount: > 0 } document && document.GetElement(0).Name == "$elemMatch";

    private static IValuePredicate ParseElemMatch(string path, BsonValue value)
    {
        if (value is not BsonDocument document)
        {
            throw MongoServerException.BadValue("$elemMatch needs an Object");
        }

        // Operators that apply to a value ({$gte: 80, $lt: 85}) test each element itself; anything else is a query
        // on each element as a document.
        if (FilterParser.IsOperatorDocument(document)
            && !FilterParser.IsTopLevelOperator(document.GetElement(0).Name))
        {
            return new ElemMatchValuePredicate(ParseValueOperators(path, document));
        }

        return new ElemMatchDocumentPredicate(FilterParser.ParseDocument(document, topLevel: false));
    }

    private static SizePredicate ParseSize(BsonValue value)
    {
        if (!BsonOrder.IsNumber(value))
        {
            throw MongoServerException.BadValue("$size needs a number");
        }

        var number = BsonOrder.ToDouble(value);
        if (number < 0)
        {
            throw MongoServerException.BadValue("$size may not be negative");
        }

        if (double.IsNaN(number) || double.IsInfinity(number) || number != Math.Floor(number))
        {
            throw MongoServerException.BadValue("$size must be a whole number");
        }

        return new SizePredicate(value.BsonType is BsonType.Int32 or BsonType.Int64 ? BsonOrder.ToInt64(value) : (long)number);
    }

    private static ModPredicate ParseMod(BsonValue value)
    {
        if (value is not BsonArray array)
        {
            throw MongoServerException.BadValue("malformed mod, needs to be an array");
        }

        if (array.Count < 2)
        {
            throw MongoServerException.BadValue("malformed mod, not enough elements");
        }

        if (array.Count > 2)
        {
            throw MongoServerException.BadValue("malformed mod, too many elements");
        }

        var divisor = ModOperand(array[0], "divisor");
        var remainder = ModOperand(array[1], "remainder");
        if (divisor == 0)
        {
            throw MongoServerException.BadValue("divisor cannot be 0");
        }

        return new ModPredicate(divisor, remainder);
    }

    private static long ModOperand(BsonValue value, string what)
    {
        if (!BsonOrder.IsNumber(value))
        {
            throw MongoServerException.BadValue($"malformed mod, {what} not a number");
        }

        var asDouble = BsonOrder.ToDouble(value);
        if (double.IsNaN(asDouble) || double.IsInfinity(asDouble))
        {
            throw MongoServerException.BadValue(
                $"malformed mod, {what} value is invalid :: caused by :: Unable to coerce NaN/Inf to integral type");
        }

        return value.BsonType is BsonType.Int32 or BsonType.Int64 ? BsonOrder.ToInt64(value) : ModPredicate.SaturatingTruncate(asDouble);
    }

    private static RegexPredicate? RegexFromOperators(BsonDocument operators)
    {
        BsonValue? pattern = null;
        BsonValue? options = null;
        foreach (var element in operators)
        {
            if (element.Name == "$regex")
            {
                pattern = element.Value;
            }
            else if (element.Name == "$options")
            {
                options = element.Value;
            }
        }

        if (options is not null)
        {
            if (options is not BsonString)
            {
                throw MongoServerException.BadValue("$options has to be a string");
            }

            if (pattern is null)
            {
                throw MongoServerException.BadValue("$options needs a $regex");
            }
        }

        return pattern switch
        {
            null => null,
            BsonString text => new RegexPredicate(text.Value, options?.AsString ?? string.Empty),
            BsonRegularExpression regex => RegexFrom(regex, options?.AsString),
            _ => throw MongoServerException.BadValue("$regex has to be a string"),
        };
    }

    internal static string FormatNumber(BsonValue value) =>
        value.BsonType switch
        {
            BsonType.Double => value.AsDouble.ToString(CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
}
