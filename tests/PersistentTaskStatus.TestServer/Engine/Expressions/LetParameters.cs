using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>
/// A command's <c>let</c> option (https://www.mongodb.com/docs/manual/reference/command/find/#std-label-find-let-syntax):
/// each value is an expression evaluated once, before any document is read, so it may not refer to document fields;
/// each name is a user variable name (https://www.mongodb.com/docs/manual/reference/aggregation-variables/#user-variables).
/// </summary>
internal static class LetParameters
{
    private static readonly HashSet<string> SystemVariables = new(StringComparer.Ordinal) { "NOW", "CLUSTER_TIME" };

    /// <summary>The let variables, evaluated against <paramref name="bare"/> (which has the command's <c>$$NOW</c>).</summary>
    public static BsonDocument Evaluate(BsonDocument let, ExpressionContext bare)
    {
        var variables = new BsonDocument();
        foreach (var element in let)
        {
            ValidateName(element.Name);
            if (ReadsDocument(element.Value))
            {
                throw OperatorShapes.Error(
                    4890500,
                    "Command let Expression tried to access a field, but this is not allowed because Command let Expressions run before the query examines any documents.");
            }

            variables[element.Name] = ExpressionEvaluator.Evaluate(element.Value, [], bare) ?? BsonNull.Value;
        }

        return variables;
    }

    private static void ValidateName(string name)
    {
        if (SystemVariables.Contains(name))
        {
            // Only MongoDB's own internal clients may set a system variable through let.
            throw OperatorShapes.Error(4738901, $"Attempt to set internal constant: {name}");
        }

        try
        {
            ControlFlowOperators.ValidateVariableName(name);
        }
        catch (MongoServerException ex)
        {
            throw new MongoServerException(ex.Code, ex.CodeName, $"Invalid 'let' parameter :: caused by :: {ex.Message}");
        }
    }

    /// <summary>Whether an expression reads the document: a field path, or <c>$$ROOT</c> / <c>$$CURRENT</c>.</summary>
    private static bool ReadsDocument(BsonValue expression) => expression switch
    {
        BsonString s when s.Value.StartsWith("$$", StringComparison.Ordinal) =>
            IsVariable(s.Value, "ROOT") || IsVariable(s.Value, "CURRENT"),
        BsonString s => s.Value.StartsWith('$'),
        BsonDocument { ElementCount: 1 } d when d.GetElement(0).Name == "$literal" => false,
        BsonDocument d => d.Values.Any(ReadsDocument),
        BsonArray a => a.Any(ReadsDocument),
        _ => false,
    };

    private static bool IsVariable(string path, string name) =>
        path.Length >= name.Length + 2 && path.AsSpan(2).StartsWith(name, StringComparison.Ordinal) &&
        (path.Length == name.Length + 2 || path[name.Length + 2] == '.');
}
