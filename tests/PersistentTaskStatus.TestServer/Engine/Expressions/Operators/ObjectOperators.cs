using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// $mergeObjects $getField $setField $unsetField
/// (https://www.mongodb.com/docs/manual/reference/operator/aggregation/#object-expression-operators).
/// </summary>
internal static class ObjectOperators
{
    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$mergeObjects"] = OperatorShapes.Variadic(MergeObjects);
        table["$getField"] = ParseGetField;
        table["$setField"] = (name, operand) => ParseSetField(name, operand, remove: false);
        table["$unsetField"] = (name, operand) => ParseSetField(name, operand, remove: true);
    }

    /// <summary>Later documents' fields win; null and missing operands are ignored; no operand gives {}.</summary>
    public static BsonValue MergeObjects(BsonValue?[] args)
    {
        var result = new BsonDocument();
        foreach (var arg in args)
        {
            if (Values.IsNullish(arg))
            {
                continue;
            }

            if (arg is not BsonDocument document)
            {
                throw OperatorShapes.Error(40400, $"$mergeObjects requires object inputs, but input {Values.Render(arg)} is of type {Values.TypeName(arg)}");
            }

            foreach (var element in document)
            {
                result[element.Name] = element.Value;
            }
        }

        return result;
    }

    private static CompiledExpression ParseGetField(string name, BsonValue operand)
    {
        BsonValue fieldSpec;
        CompiledExpression input;
        if (operand is BsonDocument spec && !ExpressionEvaluator.IsOperator(spec))
        {
            foreach (var element in spec)
            {
                if (element.Name is not ("field" or "input"))
                {
                    throw OperatorShapes.Error(3041701, $"$getField found an unknown argument: {element.Name}");
                }
            }

            fieldSpec = spec.TryGetValue("field", out var f) ? f : throw OperatorShapes.Error(3041702, "$getField requires 'field' to be specified");
            input = spec.TryGetValue("input", out var i) ? ExpressionEvaluator.Parse(i) : ExpressionEvaluator.Parse("$$CURRENT");
        }
        else
        {
            // The shorthand { $getField: <field> } reads from $$CURRENT.
            fieldSpec = operand;
            input = ExpressionEvaluator.Parse("$$CURRENT");
        }

        var field = ConstantFieldName("$getField", fieldSpec, 5654602);
        return new SpecialFormExpression(scope =>
        {
            var value = input.Evaluate(scope);
            if (Values.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value is not BsonDocument document)
            {
                throw OperatorShapes.Error(3041705, $"$getField requires 'input' to evaluate to type Object, but got {Values.TypeName(value)}");
            }

            return document.TryGetValue(field, out var result) ? result : null;
        });
    }

    private static CompiledExpression ParseSetField(string name, BsonValue operand, bool remove)
    {
        if (operand is not BsonDocument spec)
        {
            throw OperatorShapes.Error(4161100, $"{name} only supports an object as its argument");
        }

        foreach (var element in spec)
        {
            if (element.Name is not ("field" or "input" or "value") || (remove && element.Name == "value"))
            {
                throw OperatorShapes.Error(4161101, $"{name} found an unknown argument: {element.Name}");
            }
        }

        var field = ConstantFieldName(name, spec.TryGetValue("field", out var f) ? f : throw OperatorShapes.Error(4161102, $"{name} requires 'field' to be specified"), 4161106);
        var input = ExpressionEvaluator.Parse(spec.TryGetValue("input", out var i) ? i : throw OperatorShapes.Error(4161103, $"{name} requires 'input' to be specified"));
        CompiledExpression? valueExpression = null;
        if (!remove)
        {
            valueExpression = ExpressionEvaluator.Parse(spec.TryGetValue("value", out var v) ? v : throw OperatorShapes.Error(4161104, $"{name} requires 'value' to be specified"));
        }

        return new SpecialFormExpression(scope =>
        {
            var value = input.Evaluate(scope);
            if (Values.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value is not BsonDocument document)
            {
                throw OperatorShapes.Error(4161105, $"{name} requires 'input' to evaluate to type Object");
            }

            var result = document.DeepClone().AsBsonDocument;
            var newValue = valueExpression?.Evaluate(scope);
            if (newValue is null)
            {
                // $$REMOVE as the value (or $unsetField) removes the field.
                result.Remove(field);
            }
            else
            {
                result[field] = newValue;
            }

            return result;
        });
    }

    // The field name must be a constant string: a string literal, or $literal of one.
    private static string ConstantFieldName(string name, BsonValue spec, int code)
    {
        if (spec is BsonDocument { ElementCount: 1 } literal && literal.GetElement(0).Name == "$literal" && literal[0] is BsonString s)
        {
            return s.Value;
        }

        if (spec is BsonString text && !text.Value.StartsWith('$'))
        {
            return text.Value;
        }

        if (spec is BsonString)
        {
            throw OperatorShapes.Error(code, $"{name}: 'field' must be a constant string. A field path cannot be a field name; use $literal to name a field that starts with '$'");
        }

        throw OperatorShapes.Error(code, $"{name} requires 'field' to evaluate to type String, but got {Values.TypeName(spec)}");
    }
}
