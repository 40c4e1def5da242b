using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>
/// An aggregation expression parsed once (<see cref="ExpressionEvaluator.Parse"/>) and evaluated for many documents.
/// <see cref="Evaluate(EvaluationScope)"/> returns C# null for "missing".
/// </summary>
internal abstract class CompiledExpression
{
    public BsonValue? Evaluate(BsonDocument root, ExpressionContext context) =>
        Evaluate(EvaluationScope.ForDocument(root, context));

    internal abstract BsonValue? Evaluate(EvaluationScope scope);
}

internal sealed class ConstantExpression(BsonValue? value) : CompiledExpression
{
    public BsonValue? Value { get; } = value;

    internal override BsonValue? Evaluate(EvaluationScope scope) => Value;
}

/// <summary><c>$a.b</c> or <c>$$var.a.b</c>: a variable (CURRENT for plain field paths) and a path into it.</summary>
internal sealed class FieldPathExpression(string variable, string[] path) : CompiledExpression
{
    internal override BsonValue? Evaluate(EvaluationScope scope)
    {
        var value = scope.GetVariable(variable);
        return path.Length == 0 ? value : FieldPaths.Read(value, path);
    }
}

/// <summary>A document whose field values are expressions; fields that evaluate to missing are left out.</summary>
internal sealed class DocumentExpression(IReadOnlyList<KeyValuePair<string, CompiledExpression>> fields) : CompiledExpression
{
    internal override BsonValue? Evaluate(EvaluationScope scope)
    {
        var result = new BsonDocument();
        foreach (var (name, expression) in fields)
        {
            var value = expression.Evaluate(scope);
            if (value is not null)
            {
                result[name] = value;
            }
        }

        return result;
    }
}

/// <summary>An array of expressions; a missing element becomes null, as MongoDB does for array literals.</summary>
internal sealed class ArrayExpression(IReadOnlyList<CompiledExpression> elements) : CompiledExpression
{
    internal override BsonValue? Evaluate(EvaluationScope scope)
    {
        var result = new BsonArray(elements.Count);
        foreach (var element in elements)
        {
            result.Add(element.Evaluate(scope) ?? BsonNull.Value);
        }

        return result;
    }
}

/// <summary>An operator whose arguments are all evaluated before it runs.</summary>
internal sealed class FunctionExpression(IReadOnlyList<CompiledExpression> arguments, Func<BsonValue?[], BsonValue?> function)
    : CompiledExpression
{
    internal override BsonValue? Evaluate(EvaluationScope scope)
    {
        var values = new BsonValue?[arguments.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = arguments[i].Evaluate(scope);
        }

        return function(values);
    }
}

/// <summary>An operator that controls how (and whether) its parts are evaluated ($cond, $map, $and, ...).</summary>
internal sealed class SpecialFormExpression(Func<EvaluationScope, BsonValue?> evaluate) : CompiledExpression
{
    internal override BsonValue? Evaluate(EvaluationScope scope) => evaluate(scope);
}
