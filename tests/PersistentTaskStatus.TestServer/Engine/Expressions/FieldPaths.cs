using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>
/// Field paths as aggregation reads and writes them (https://www.mongodb.com/docs/manual/core/expression/#field-paths):
/// a path through an array of documents yields the array of the values found in its documents.
/// </summary>
internal static class FieldPaths
{
    /// <summary>Splits and validates a path such as <c>a.b</c> (without the leading <c>$</c>).</summary>
    public static string[] Split(string path)
    {
        if (path.Length == 0)
        {
            throw new MongoServerException(ErrorCode.Location40352, "FieldPath cannot be constructed with empty string");
        }

        var parts = path.Split('.');
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                throw OperatorShapes.Error(15998, "FieldPath field names may not be empty strings.");
            }

            if (part[0] == '$')
            {
                throw OperatorShapes.Error(16410, $"FieldPath field names may not start with '$'. Consider using $getField or $setField.");
            }
        }

        return parts;
    }

    public static BsonValue? Read(BsonValue? value, string[] path) => value switch
    {
        BsonDocument document => ReadDocument(document, path, 0),
        BsonArray array => ReadArray(array, path, 0),
        _ => null,
    };

    private static BsonValue? ReadDocument(BsonDocument document, string[] path, int index)
    {
        if (!document.TryGetValue(path[index], out var child))
        {
            return null;
        }

        if (index == path.Length - 1)
        {
            return child;
        }

        return child switch
        {
            BsonDocument nested => ReadDocument(nested, path, index + 1),
            BsonArray array => ReadArray(array, path, index + 1),
            _ => null,
        };
    }

    // Only documents in the array are followed (nested arrays and scalars are skipped), as the server's
    // ExpressionFieldPath::evaluatePathArray does.
    private static BsonArray ReadArray(BsonArray array, string[] path, int index)
    {
        var result = new BsonArray();
        foreach (var element in array)
        {
            if (element is BsonDocument document)
            {
                var value = ReadDocument(document, path, index);
                if (value is not null)
                {
                    result.Add(value);
                }
            }
        }

        return result;
    }
}
