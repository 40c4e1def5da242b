using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// Operators that decide what gets evaluated: $literal, $let, $map, $filter, $reduce, $cond, $ifNull, $switch, $and,
/// $or, $not (https://www.mongodb.com/docs/manual/reference/operator/aggregation/#conditional-expression-operators).
/// </summary>
internal static class ControlFlowOperators
{
    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$literal"] = (_, operand) => new ConstantExpression(operand);
        table["$let"] = ParseLet;
        table["$map"] = ParseMap;
        table["$filter"] = ParseFilter;
        table["$reduce"] = ParseReduce;
        table["$cond"] = ParseCond;
        table["$ifNull"] = ParseIfNull;
        table["$switch"] = ParseSwitch;
        table["$and"] = (_, operand) => ParseLogical(operand, stopAt: false);
        table["$or"] = (_, operand) => ParseLogical(operand, stopAt: true);
        table["$not"] = OperatorShapes.Fixed(1, args => Values.Bool(!Values.IsTrue(args[0])));
    }

    private static CompiledExpression ParseLet(string name, BsonValue operand)
    {
        var spec = OperatorShapes.NamedArguments(name, operand, 16874);
        BsonDocument? vars = null;
        BsonValue? body = null;
        foreach (var element in spec)
        {
            switch (element.Name)
            {
                case "vars":
                    vars = element.Value as BsonDocument
                        ?? throw OperatorShapes.Error(10065, $"invalid parameter: expected an object (vars)");
                    break;
                case "in":
                    body = element.Value;
                    break;
                default:
                    throw OperatorShapes.Error(16875, $"Unrecognized parameter to $let: {element.Name}");
            }
        }

        if (vars is null)
        {
            throw OperatorShapes.Error(16876, "Missing 'vars' parameter to $let");
        }

        if (body is null)
        {
            throw OperatorShapes.Error(16877, "Missing 'in' parameter to $let");
        }

        var bindings = vars.Select(v => (Name: ValidateVariableName(v.Name), Value: ExpressionEvaluator.Parse(v.Value))).ToList();
        var inExpression = ExpressionEvaluator.Parse(body);
        return new SpecialFormExpression(scope =>
        {
            // Every variable is evaluated in the outer scope: one $let variable cannot see another.
            var inner = scope;
            foreach (var (variable, value) in bindings)
            {
                inner = inner.Bind(variable, value.Evaluate(scope));
            }

            return inExpression.Evaluate(inner);
        });
    }

    private static CompiledExpression ParseMap(string name, BsonValue operand)
    {
        var spec = OperatorShapes.NamedArguments(name, operand, 16878);
        RejectUnknown(spec, "$map", 16879, "input", "as", "in");
        var input = Required(spec, "input", 16880, "Missing 'input' parameter to $map");
        var variable = spec.TryGetValue("as", out var asValue) ? ValidateVariableName(asValue.ToString()!) : "this";
        var body = Required(spec, "in", 16882, "Missing 'in' parameter to $map");
        return new SpecialFormExpression(scope =>
        {
            var value = input.Evaluate(scope);
            if (Values.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value is not BsonArray array)
            {
                throw OperatorShapes.Error(16883, $"input to $map must be an array not {Values.TypeName(value)}");
            }

            return new BsonArray(array.Select(element => body.Evaluate(scope.Bind(variable, element)) ?? BsonNull.Value));
        });
    }

    private static CompiledExpression ParseFilter(string name, BsonValue operand)
    {
        var spec = OperatorShapes.NamedArguments(name, operand, 28646);
        RejectUnknown(spec, "$filter", 28647, "input", "as", "cond", "limit");
        var input = Required(spec, "input", 28648, "Missing 'input' parameter to $filter");
        var variable = spec.TryGetValue("as", out var asValue) ? ValidateVariableName(asValue.ToString()!) : "this";
        var condition = Required(spec, "cond", 28650, "Missing 'cond' parameter to $filter");
        var limit = spec.TryGetValue("limit", out var limitValue) ? ExpressionEvaluator.Parse(limitValue) : null;
        return new SpecialFormExpression(scope =>
        {
            var value = input.Evaluate(scope);
            if (Values.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value is not BsonArray array)
            {
                throw OperatorShapes.Error(28651, $"input to $filter must be an array not {Values.TypeName(value)}");
            }

            var max = int.MaxValue;
            if (limit is not null)
            {
                var limitResult = limit.Evaluate(scope);
                if (!Values.IsNullish(limitResult))
                {
                    if (!Values.TryGetInt32(limitResult, out max))
                    {
                        throw OperatorShapes.Error(327391, $"$filter: limit must be represented as a 32-bit integral value: {Values.Render(limitResult)}");
                    }

                    if (max < 1)
                    {
                        throw OperatorShapes.Error(327392, $"$filter: limit must be greater than 0: {max}");
                    }
                }
            }

            var result = new BsonArray();
            foreach (var element in array)
            {
                if (result.Count >= max)
                {
                    break;
                }

                if (Values.IsTrue(condition.Evaluate(scope.Bind(variable, element))))
                {
                    result.Add(element);
                }
            }

            return result;
        });
    }

    private static CompiledExpression ParseReduce(string name, BsonValue operand)
    {
        var spec = OperatorShapes.NamedArguments(name, operand, 40075);
        RejectUnknown(spec, "$reduce", 40076, "input", "initialValue", "in");
        var input = Required(spec, "input", 40077, "$reduce requires 'input' to be specified");
        var initial = Required(spec, "initialValue", 40078, "$reduce requires 'initialValue' to be specified");
        var body = Required(spec, "in", 40079, "$reduce requires 'in' to be specified");
        return new SpecialFormExpression(scope =>
        {
            var value = input.Evaluate(scope);
            if (Values.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value is not BsonArray array)
            {
                throw OperatorShapes.Error(40080, $"$reduce requires that 'input' be an array, found: {Values.Render(value)}");
            }

            var accumulated = initial.Evaluate(scope);
            foreach (var element in array)
            {
                accumulated = body.Evaluate(scope.Bind("value", accumulated).Bind("this", element));
            }

            return accumulated;
        });
    }

    private static CompiledExpression ParseCond(string name, BsonValue operand)
    {
        CompiledExpression condition, then, otherwise;
        if (operand is BsonDocument spec)
        {
            RejectUnknown(spec, "$cond", 17083, "if", "then", "else");
            condition = Required(spec, "if", 17080, "Missing 'if' parameter to $cond");
            then = Required(spec, "then", 17081, "Missing 'then' parameter to $cond");
            otherwise = Required(spec, "else", 17082, "Missing 'else' parameter to $cond");
        }
        else
        {
            var arguments = ExpressionEvaluator.ParseArguments(operand);
            if (arguments.Count != 3)
            {
                throw new MongoServerException(ErrorCode.Location16020, $"Expression $cond takes exactly 3 arguments. {arguments.Count} were passed in.");
            }

            (condition, then, otherwise) = (arguments[0], arguments[1], arguments[2]);
        }

        return new SpecialFormExpression(scope =>
            Values.IsTrue(condition.Evaluate(scope)) ? then.Evaluate(scope) : otherwise.Evaluate(scope));
    }

    private static CompiledExpression ParseIfNull(string name, BsonValue operand)
    {
        var arguments = ExpressionEvaluator.ParseArguments(operand);
        if (arguments.Count < 2)
        {
            throw OperatorShapes.Error(1257300, "$ifNull needs at least two arguments, had: " + arguments.Count);
        }

        return new SpecialFormExpression(scope =>
        {
            // The replacement (last argument) is returned as it is, even when it is null or missing.
            for (var i = 0; i < arguments.Count - 1; i++)
            {
                var value = arguments[i].Evaluate(scope);
                if (!Values.IsNullish(value))
                {
                    return value;
                }
            }

            return arguments[^1].Evaluate(scope);
        });
    }

    private static CompiledExpression ParseSwitch(string name, BsonValue operand)
    {
        var spec = OperatorShapes.NamedArguments(name, operand, 40060);
        var branches = new List<(CompiledExpression Case, CompiledExpression Then)>();
        CompiledExpression? fallback = null;
        foreach (var element in spec)
        {
            switch (element.Name)
            {
                case "branches":
                    if (element.Value is not BsonArray array)
                    {
                        throw OperatorShapes.Error(40061, $"$switch expected an array for 'branches', found: {Values.TypeName(element.Value)}");
                    }

                    foreach (var branch in array)
                    {
                        if (branch is not BsonDocument branchDocument)
                        {
                            throw OperatorShapes.Error(40062, $"$switch expected each branch to be an object, found: {Values.TypeName(branch)}");
                        }

                        RejectUnknown(branchDocument, "$switch", 40063, "case", "then");
                        branches.Add((
                            Required(branchDocument, "case", 40064, "$switch requires each branch have a 'case' expression"),
                            Required(branchDocument, "then", 40065, "$switch requires each branch have a 'then' expression.")));
                    }

                    break;
                case "default":
                    fallback = ExpressionEvaluator.Parse(element.Value);
                    break;
                default:
                    throw OperatorShapes.Error(40067, $"$switch found an unknown argument: {element.Name}");
            }
        }

        if (branches.Count == 0)
        {
            throw OperatorShapes.Error(40068, "$switch requires at least one branch.");
        }

        return new SpecialFormExpression(scope =>
        {
            foreach (var (condition, then) in branches)
            {
                if (Values.IsTrue(condition.Evaluate(scope)))
                {
                    return then.Evaluate(scope);
                }
            }

            return fallback is not null
                ? fallback.Evaluate(scope)
                : throw OperatorShapes.Error(40066, "$switch could not find a matching branch for an input, and no default was specified.");
        });
    }

    // $and stops at the first false argument, $or at the first true one.
    private static CompiledExpression ParseLogical(BsonValue operand, bool stopAt)
    {
        var arguments = ExpressionEvaluator.ParseArguments(operand);
        return new SpecialFormExpression(scope =>
        {
            foreach (var argument in arguments)
            {
                if (Values.IsTrue(argument.Evaluate(scope)) == stopAt)
                {
                    return Values.Bool(stopAt);
                }
            }

            return Values.Bool(!stopAt);
        });
    }

    private static CompiledExpression Required(BsonDocument spec, string field, int code, string message) =>
        spec.TryGetValue(field, out var value) ? ExpressionEvaluator.Parse(value) : throw OperatorShapes.Error(code, message);

    private static void RejectUnknown(BsonDocument spec, string operatorName, int code, params string[] allowed)
    {
        foreach (var element in spec)
        {
            if (!allowed.Contains(element.Name))
            {
                throw OperatorShapes.Error(code, $"Unrecognized parameter to {operatorName}: {element.Name}");
            }
        }
    }

    // User variable names start with a lowercase letter or a non-ASCII character and hold letters, digits and '_'.
    internal static string ValidateVariableName(string name)
    {
        if (name.Length == 0)
        {
            throw OperatorShapes.Error(16866, "empty variable names are not allowed");
        }

        if (!(char.IsAsciiLetterLower(name[0]) || name[0] > 127))
        {
            throw OperatorShapes.Error(16867, $"'{name}' starts with an invalid character for a user variable name");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c > 127))
            {
                throw OperatorShapes.Error(16868, $"'{name}' contains an invalid character for a variable name: '{c}'");
            }
        }

        return name;
    }
}
