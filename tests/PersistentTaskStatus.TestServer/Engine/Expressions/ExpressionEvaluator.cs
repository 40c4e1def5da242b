using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;
using PersistentTaskStatus.TestServer.Engine.Versions;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>
/// Evaluates aggregation expressions (https://www.mongodb.com/docs/manual/reference/operator/aggregation/).
/// </summary>
internal static class ExpressionEvaluator
{
    private static readonly Dictionary<string, OperatorParser> Operators = BuildOperatorTable();

    /// <summary>
    /// Evaluates <paramref name="expression"/> with <c>$$ROOT</c> and <c>$$CURRENT</c> bound to <paramref name="root"/>.
    /// Returns C# <c>null</c> for "missing" (an absent field path or <c>$$REMOVE</c>), which callers treat as "omit
    /// the field"; BSON null is <see cref="BsonNull.Value"/>.
    /// </summary>
    public static BsonValue? Evaluate(BsonValue expression, BsonDocument root, ExpressionContext context) =>
        Parse(expression).Evaluate(root, context);

    /// <summary>Parses and validates an expression once, for evaluation against many documents.</summary>
    public static CompiledExpression Parse(BsonValue expression)
    {
        switch (expression)
        {
            case BsonString s when s.Value.StartsWith("$$", StringComparison.Ordinal):
                return ParseVariable(s.Value[2..]);
            case BsonString s when s.Value.StartsWith('$'):
                if (s.Value.Length == 1)
                {
                    throw OperatorShapes.Error(16872, "'$' by itself is not a valid FieldPath");
                }

                return new FieldPathExpression("CURRENT", FieldPaths.Split(s.Value[1..]));
            case BsonDocument document:
                return ParseDocument(document);
            case BsonArray array:
                return new ArrayExpression(array.Select(Parse).ToList());
            default:
                return new ConstantExpression(expression);
        }
    }

    /// <summary>Parses an operator's argument list: an array is the list, anything else is its single argument.</summary>
    internal static IReadOnlyList<CompiledExpression> ParseArguments(BsonValue operand) =>
        operand is BsonArray array ? array.Select(Parse).ToList() : [Parse(operand)];

    /// <summary>Whether a document is an operator expression (<c>{ $op: ... }</c>) rather than a literal document.</summary>
    internal static bool IsOperator(BsonDocument document) =>
        document.ElementCount > 0 && document.GetElement(0).Name.StartsWith('$');

    private static CompiledExpression ParseVariable(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? text : text[..dot];
        if (name.Length == 0)
        {
            throw new MongoServerException(ErrorCode.FailedToParse, "empty variable names are not allowed");
        }

        if (name is "CLUSTER_TIME" or "SEARCH_META" or "USER_ROLES" or "SEARCH_SCORE")
        {
            throw MongoServerException.NotSupported($"The variable $${name}");
        }

        var path = dot < 0 ? [] : FieldPaths.Split(text[(dot + 1)..]);
        return new FieldPathExpression(name, path);
    }

    private static CompiledExpression ParseDocument(BsonDocument document)
    {
        if (IsOperator(document))
        {
            if (document.ElementCount != 1)
            {
                throw new MongoServerException(
                    ErrorCode.Location15983,
                    $"an expression specification must contain exactly one field, the name of the expression. Found {document.ElementCount} fields in {Values.Render(document)}");
            }

            var element = document.GetElement(0);
            if (!Operators.TryGetValue(element.Name, out var parser) || !FeatureGate.KnowsExpression(element.Name))
            {
                throw new MongoServerException(ErrorCode.InvalidPipelineOperator, $"Unrecognized expression '{element.Name}'");
            }

            return parser(element.Name, element.Value);
        }

        var fields = new List<KeyValuePair<string, CompiledExpression>>(document.ElementCount);
        foreach (var element in document)
        {
            if (element.Name.StartsWith('$'))
            {
                throw OperatorShapes.Error(16410, $"FieldPath field names may not start with '$'. Consider using $getField or $setField.");
            }

            if (element.Name.Contains('.', StringComparison.Ordinal))
            {
                throw OperatorShapes.Error(16412, "FieldPath field names may not contain '.'. Consider using $getField or $setField.");
            }

            fields.Add(new(element.Name, Parse(element.Value)));
        }

        return new DocumentExpression(fields);
    }

    private static Dictionary<string, OperatorParser> BuildOperatorTable()
    {
        var table = new Dictionary<string, OperatorParser>(StringComparer.Ordinal);
        ControlFlowOperators.Register(table);
        ComparisonOperators.Register(table);
        ArithmeticOperators.Register(table);
        ArrayOperators.Register(table);
        SetOperators.Register(table);
        AccumulatorOperators.Register(table);
        ObjectOperators.Register(table);
        ConversionOperators.Register(table);
        StringOperators.Register(table);
        UnsupportedOperators.Register(table);
        return table;
    }
}
