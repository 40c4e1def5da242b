using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>The variables visible to an expression: the system ones, the command's, and those bound by $let/$map/...</summary>
internal sealed class EvaluationScope
{
    private readonly string? _name;
    private readonly BsonValue? _value;
    private readonly EvaluationScope? _parent;

    private EvaluationScope(BsonDocument root, BsonValue current, ExpressionContext context, string? name, BsonValue? value, EvaluationScope? parent)
    {
        Root = root;
        Current = current;
        Context = context;
        _name = name;
        _value = value;
        _parent = parent;
    }

    public BsonDocument Root { get; }

    public BsonValue Current { get; }

    public ExpressionContext Context { get; }

    public static EvaluationScope ForDocument(BsonDocument root, ExpressionContext context) =>
        new(root, root, context, null, null, null);

    /// <summary>A child scope with one more variable; binding CURRENT rebinds what plain field paths read.</summary>
    public EvaluationScope Bind(string name, BsonValue? value) =>
        name == "CURRENT"
            ? new EvaluationScope(Root, value ?? BsonNull.Value, Context, null, null, this)
            : new EvaluationScope(Root, Current, Context, name, value, this);

    public BsonValue? GetVariable(string name)
    {
        switch (name)
        {
            case "CURRENT":
                return Current;
            case "ROOT":
                return Root;
            case "NOW":
                return Context.Now;
            case "REMOVE":
                return null;
        }

        for (var scope = this; scope is not null; scope = scope._parent)
        {
            if (scope._name == name)
            {
                return scope._value;
            }
        }

        if (Context.Variables.TryGetValue(name, out var value))
        {
            return value;
        }

        throw new MongoServerException(ErrorCode.Location17276, $"Use of undefined variable: {name}");
    }
}
