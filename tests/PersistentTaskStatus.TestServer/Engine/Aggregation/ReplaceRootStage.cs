using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>
/// $replaceRoot and $replaceWith (https://www.mongodb.com/docs/manual/reference/operator/aggregation/replaceRoot/):
/// the document is replaced by the value of an expression, which must be a document.
/// </summary>
internal static class ReplaceRootStage
{
    public static PipelineStage Parse(string name, BsonValue spec)
    {
        BsonValue expression;
        string what;
        if (name == "$replaceWith")
        {
            expression = spec;
            what = "'replacement document' ";
        }
        else
        {
            if (spec is not BsonDocument document)
            {
                throw OperatorShapes.Error(40229, $"expected an object as specification for $replaceRoot stage, got {Values.TypeName(spec)}");
            }

            foreach (var element in document)
            {
                if (element.Name != "newRoot")
                {
                    throw OperatorShapes.Error(40415, $"BSON field '$replaceRoot.{element.Name}' is an unknown field.");
                }
            }

            expression = document.TryGetValue("newRoot", out var newRoot)
                ? newRoot
                : throw OperatorShapes.Error(40414, "BSON field '$replaceRoot.newRoot' is missing but a required field");
            what = "'newRoot' expression ";
        }

        var compiled = ExpressionEvaluator.Parse(expression);
        return new PerDocumentStage((input, context) =>
        {
            var value = compiled.Evaluate(input, context);
            return value is BsonDocument newRoot ? newRoot.DeepClone().AsBsonDocument : throw OperatorShapes.Error(
                40228,
                $"{what}must evaluate to an object, but resulting value was: {(value is null ? "MISSING" : Values.Render(value))}. Type of resulting value: '{Values.TypeName(value)}'. Input document: {Values.Render(input)}");
        });
    }
}
