using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>
/// $unset (https://www.mongodb.com/docs/manual/reference/operator/aggregation/unset/): an exclusion projection of the
/// named fields; a dotted path removes the field from the embedded document or from each document of an array.
/// </summary>
internal static class UnsetStage
{
    public static PipelineStage Parse(BsonValue spec)
    {
        List<string[]> paths;
        switch (spec)
        {
            case BsonString s:
                paths = [FieldPaths.Split(s.Value)];
                break;
            case BsonArray { Count: > 0 } array:
                paths = array.Select(element => element is BsonString text
                    ? FieldPaths.Split(text.Value)
                    : throw OperatorShapes.Error(31120, "$unset specification must be a string or an array containing only string values")).ToList();
                break;
            default:
                throw OperatorShapes.Error(31119, "$unset specification must be a string or an array with at least one field");
        }

        return new PerDocumentStage((input, _) =>
        {
            var output = input.DeepClone().AsBsonDocument;
            foreach (var path in paths)
            {
                Remove(output, path, 0);
            }

            return output;
        });
    }

    private static void Remove(BsonValue value, string[] path, int index)
    {
        switch (value)
        {
            case BsonDocument document when index == path.Length - 1:
                document.Remove(path[index]);
                break;
            case BsonDocument document:
                if (document.TryGetValue(path[index], out var child))
                {
                    Remove(child, path, index + 1);
                }

                break;
            case BsonArray array when index > 0:
                foreach (var element in array)
                {
                    Remove(element, path, index);
                }

                break;
        }
    }
}
