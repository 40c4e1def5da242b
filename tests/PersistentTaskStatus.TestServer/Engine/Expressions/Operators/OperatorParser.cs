using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>Turns an operator's operand (<c>{ $name: operand }</c>) into a compiled expression.</summary>
internal delegate CompiledExpression OperatorParser(string name, BsonValue operand);

/// <summary>Builders for the common operator shapes, with the server's argument-count errors.</summary>
internal static class OperatorShapes
{
    /// <summary>An operator taking exactly <paramref name="count"/> evaluated arguments.</summary>
    public static OperatorParser Fixed(int count, Func<BsonValue?[], BsonValue?> function) => (name, operand) =>
    {
        var arguments = ExpressionEvaluator.ParseArguments(operand);
        if (arguments.Count != count)
        {
            throw new MongoServerException(
                ErrorCode.Location16020,
                $"Expression {name} takes exactly {count} arguments. {arguments.Count} were passed in.");
        }

        return new FunctionExpression(arguments, function);
    };

    /// <summary>An operator taking between <paramref name="min"/> and <paramref name="max"/> evaluated arguments.</summary>
    public static OperatorParser Between(int min, int max, Func<BsonValue?[], BsonValue?> function) => (name, operand) =>
    {
        var arguments = ExpressionEvaluator.ParseArguments(operand);
        if (arguments.Count < min || arguments.Count > max)
        {
            throw Error(
                28667,
                $"Expression {name} takes at least {min} arguments, and at most {max}, but {arguments.Count} were passed in.");
        }

        return new FunctionExpression(arguments, function);
    };

    /// <summary>An operator taking any number of evaluated arguments.</summary>
    public static OperatorParser Variadic(Func<BsonValue?[], BsonValue?> function) => (_, operand) =>
        new FunctionExpression(ExpressionEvaluator.ParseArguments(operand), function);

    /// <summary>The named arguments of an operator that takes a document (<c>$map</c>, <c>$filter</c>, ...).</summary>
    public static BsonDocument NamedArguments(string name, BsonValue operand, int code)
    {
        if (operand is not BsonDocument document)
        {
            throw Error(code, $"{name} only supports an object as its argument");
        }

        return document;
    }

    public static MongoServerException Error(int code, string message) => new(code, CodeName(code), message);

    /// <summary>The codeName of a code: the enum's name when it has one, else <c>LocationNNNN</c>.</summary>
    public static string CodeName(int code) =>
        Enum.IsDefined(typeof(ErrorCode), code) ? ((ErrorCode)code).ToString() : $"Location{code}";
}
