using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>
/// $addFields and its alias $set (https://www.mongodb.com/docs/manual/reference/operator/aggregation/addFields/):
/// dotted paths and embedded documents add to existing embedded documents (and to each document of an array);
/// existing fields keep their place, new ones are appended; a field whose value is missing is removed.
/// Every expression sees the input document.
/// </summary>
internal static class AddFieldsStage
{
    public static PipelineStage Parse(string name, BsonValue spec)
    {
        if (spec is not BsonDocument document)
        {
            throw OperatorShapes.Error(40272, $"{name} specification stage must be an object, got {Values.TypeName(spec)}");
        }

        var tree = new FieldTree();
        Fill(tree, document, string.Empty);
        return new PerDocumentStage((input, context) =>
            tree.ApplyToDocument(input, EvaluationScope.ForDocument(input, context)));
    }

    private static void Fill(FieldTree tree, BsonDocument spec, string prefix)
    {
        foreach (var element in spec)
        {
            var parts = FieldPaths.Split(element.Name);
            var node = tree;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                node = node.Child(parts[i], prefix + element.Name);
            }

            var last = parts[^1];
            var path = prefix + element.Name;
            if (element.Value is BsonDocument nested && !ExpressionEvaluator.IsOperator(nested))
            {
                if (nested.ElementCount == 0)
                {
                    throw OperatorShapes.Error(40180, $"Invalid $addFields :: caused by :: An empty sub-projection is not a valid value. Found empty object at path {path}");
                }

                Fill(node.Child(last, path), nested, path + ".");
            }
            else
            {
                node.SetExpression(last, ExpressionEvaluator.Parse(element.Value), path);
            }
        }
    }

    /// <summary>The fields to add, as a tree of path components.</summary>
    private sealed class FieldTree
    {
        private readonly List<(string Name, CompiledExpression? Expression, FieldTree? Subtree)> _fields = [];

        public FieldTree Child(string name, string path)
        {
            foreach (var field in _fields)
            {
                if (field.Name == name)
                {
                    return field.Subtree ?? throw Collision(path);
                }
            }

            var child = new FieldTree();
            _fields.Add((name, null, child));
            return child;
        }

        public void SetExpression(string name, CompiledExpression expression, string path)
        {
            if (_fields.Any(field => field.Name == name))
            {
                throw Collision(path);
            }

            _fields.Add((name, expression, null));
        }

        public BsonDocument ApplyToDocument(BsonDocument input, EvaluationScope scope)
        {
            // Values are never changed in place by the pipeline (each stage builds new documents), so the output shares
            // the input's untouched values instead of copying the whole document.
            var output = new BsonDocument(input);
            foreach (var (name, expression, subtree) in _fields)
            {
                var value = expression is not null
                    ? expression.Evaluate(scope)
                    : subtree!.ApplyToValue(output.TryGetValue(name, out var existing) ? existing : null, scope);
                if (value is null)
                {
                    output.Remove(name);
                }
                else
                {
                    output[name] = value;
                }
            }

            return output;
        }

        // A scalar (or missing) where a subtree applies is replaced by a document of the new fields, as the server's
        // ProjectionNode::applyExpressionsToValue does; arrays get the fields in each element.
        private BsonValue ApplyToValue(BsonValue? value, EvaluationScope scope) => value switch
        {
            BsonDocument document => ApplyToDocument(document, scope),
            BsonArray array => new BsonArray(array.Select(element => ApplyToValue(element, scope))),
            _ => ApplyToDocument([], scope),
        };

        private static MongoServerException Collision(string path) =>
            OperatorShapes.Error(31250, $"Invalid $addFields :: caused by :: Path collision at {path}");
    }
}
