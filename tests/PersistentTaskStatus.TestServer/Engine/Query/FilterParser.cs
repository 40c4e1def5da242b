using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>
/// Turns a filter document into a tree of matchers, validating it as MongoDB's MatchExpressionParser does
/// (https://www.mongodb.com/docs/manual/reference/operator/query/).
/// </summary>
internal static class FilterParser
{
    private static readonly HashSet<string> UnsupportedTopLevel =
        ["$where", "$text", "$jsonSchema", "$alwaysTrue", "$alwaysFalse", "$sampleRate"];

    /// <param name="filter">The filter document.</param>
    /// <param name="topLevel">False inside <c>$elemMatch</c>, where <c>$expr</c> is refused.</param>
    public static IMatcher ParseDocument(BsonDocument filter, bool topLevel)
    {
        var children = new List<IMatcher>();
        foreach (var element in filter)
        {
            if (element.Name.StartsWith('$'))
            {
                var matcher = ParseTopLevelOperator(element.Name, element.Value, topLevel);
                if (matcher is not null)
                {
                    children.Add(matcher);
                }

                continue;
            }

            ParseField(element.Name, element.Value, children);
        }

        return children.Count == 1 ? children[0] : new AndMatcher(children);
    }

    /// <summary>Whether the names of pathless operators (those that stand where a field name would).</summary>
    public static bool IsTopLevelOperator(string name) =>
        name is "$and" or "$or" or "$nor" or "$expr" or "$comment" || UnsupportedTopLevel.Contains(name);

    /// <summary>
    /// A document whose first field starts with <c>$</c> is a set of operators, unless it is a DBRef
    /// (<c>$ref</c> and <c>$id</c>), which is a value.
    /// </summary>
    public static bool IsOperatorDocument(BsonValue value) =>
        value is BsonDocument { ElementCount: > 0 } document
        && document.GetElement(0).Name.StartsWith('$')
        && !(document.Contains("$ref") && document.Contains("$id"));

    private static IMatcher? ParseTopLevelOperator(string name, BsonValue value, bool topLevel)
    {
        switch (name)
        {
            case "$and":
            case "$or":
            case "$nor":
                {
                    var children = ParseClauses(name, value, topLevel);
                    return name switch
                    {
                        "$and" => new AndMatcher(children),
                        "$or" => new OrMatcher(children),
                        _ => new NorMatcher(children),
                    };
                }

            case "$expr":
                if (!topLevel)
                {
                    throw MongoServerException.BadValue("$expr can only be applied to the top-level document");
                }

                return new ExprMatcher(value);
            case "$comment":
                return null;
            default:
                if (UnsupportedTopLevel.Contains(name))
                {
                    throw MongoServerException.NotSupported($"The query operator {name}");
                }

                throw MongoServerException.BadValue(
                    $"unknown top level operator: {name}. If you have a field name that starts with a '$' symbol, "
                    + "consider using $getField or $setField.");
        }
    }

    private static List<IMatcher> ParseClauses(string name, BsonValue value, bool topLevel)
    {
        if (value is not BsonArray array)
        {
            throw MongoServerException.BadValue($"{name} must be an array");
        }

        var children = new List<IMatcher>();
        foreach (var clause in array)
        {
            if (clause is not BsonDocument document)
            {
                throw MongoServerException.BadValue("$or/$and/$nor entries need to be full objects");
            }

            // A clause stays at the level of its parent, so $expr remains allowed in the top-level ones.
            children.Add(ParseDocument(document, topLevel));
        }

        if (children.Count == 0)
        {
            throw MongoServerException.BadValue("$and/$or/$nor must be a nonempty array");
        }

        return children;
    }

    private static void ParseField(string path, BsonValue value, List<IMatcher> children)
    {
        if (IsOperatorDocument(value))
        {
            OperatorParser.ParsePathOperators(path, value.AsBsonDocument, children);
        }
        else if (value is BsonRegularExpression regex)
        {
            children.Add(new PathMatcher(path, OperatorParser.RegexFrom(regex, null), expandLeafArrays: true));
        }
        else
        {
            children.Add(new PathMatcher(
                path, new ComparisonPredicate(ComparisonOperator.Eq, value), expandLeafArrays: true));
        }
    }
}
