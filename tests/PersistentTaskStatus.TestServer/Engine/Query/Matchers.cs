using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>A node of a parsed filter that matches whole documents.</summary>
internal interface IMatcher
{
    /// <summary>
    /// Whether the document matches; on a match, <paramref name="positionalIndex"/> is overwritten by the array index
    /// this node went through, when it went through one (MongoDB's elemMatchKey).
    /// </summary>
    bool Matches(BsonDocument document, ExpressionContext context, ref int? positionalIndex);
}

/// <summary>A predicate on one field value (C# null for missing), applied to each value a path resolves to.</summary>
internal interface IValuePredicate
{
    /// <param name="value">The field value; C# null when the field is missing.</param>
    /// <param name="context">The command's <c>$$NOW</c> and variables.</param>
    /// <param name="elementIndex">Receives the matching element's index when the predicate looks inside arrays.</param>
    bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex);
}

/// <summary>Applies a value predicate to every value at a dotted path; matches when one value does.</summary>
internal sealed class PathMatcher(string path, IValuePredicate predicate, bool expandLeafArrays) : IMatcher
{
    private readonly string[] parts = path.Split('.');

    public bool Matches(BsonDocument document, ExpressionContext context, ref int? positionalIndex)
    {
        int? found = null;
        var matched = PathWalker.Walk(document, parts, expandLeafArrays, (value, offset) =>
        {
            int? inner = null;
            if (!predicate.Matches(value, context, ref inner))
            {
                return false;
            }

            // The outermost array the path crossed wins over an index found inside the value ($elemMatch).
            found = offset ?? inner;
            return true;
        });
        if (matched && found is not null)
        {
            positionalIndex = found;
        }

        return matched;
    }
}

internal sealed class AndMatcher(IReadOnlyList<IMatcher> children) : IMatcher
{
    public bool Matches(BsonDocument document, ExpressionContext context, ref int? positionalIndex)
    {
        // As in MongoDB, every child may record a position; the last one that does wins.
        foreach (var child in children)
        {
            if (!child.Matches(document, context, ref positionalIndex))
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed class OrMatcher(IReadOnlyList<IMatcher> children) : IMatcher
{
    public bool Matches(BsonDocument document, ExpressionContext context, ref int? positionalIndex)
    {
        foreach (var child in children)
        {
            int? position = null;
            if (child.Matches(document, context, ref position))
            {
                if (position is not null)
                {
                    positionalIndex = position;
                }

                return true;
            }
        }

        return false;
    }
}

internal sealed class NorMatcher(IReadOnlyList<IMatcher> children) : IMatcher
{
    public bool Matches(BsonDocument document, ExpressionContext context, ref int? positionalIndex)
    {
        foreach (var child in children)
        {
            int? ignored = null;
            if (child.Matches(document, context, ref ignored))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Negation ($not, $ne, $nin, $exists: false); a negated match never records a position.</summary>
internal sealed class NotMatcher(IMatcher inner) : IMatcher
{
    public bool Matches(BsonDocument document, ExpressionContext context, ref int? positionalIndex)
    {
        int? ignored = null;
        return !inner.Matches(document, context, ref ignored);
    }
}

internal sealed class AlwaysFalseMatcher : IMatcher
{
    public static readonly AlwaysFalseMatcher Instance = new();

    public bool Matches(BsonDocument document, ExpressionContext context, ref int? positionalIndex) => false;
}

/// <summary><c>$expr</c>: the aggregation expression's value, taken as a boolean.</summary>
internal sealed class ExprMatcher(BsonValue expression) : IMatcher
{
    public bool Matches(BsonDocument document, ExpressionContext context, ref int? positionalIndex) =>
        IsTruthy(ExpressionEvaluator.Evaluate(expression, document, context));

    /// <summary>Aggregation truthiness: false, null, undefined, missing and numeric zero are false.</summary>
    public static bool IsTruthy(BsonValue? value) => value switch
    {
        null => false,
        { BsonType: BsonType.Null or BsonType.Undefined } => false,
        { BsonType: BsonType.Boolean } => value.AsBoolean,
        _ when BsonOrder.IsNumber(value) => BsonOrder.CompareNumbers(value, new BsonInt32(0)) != 0,
        _ => true,
    };
}
