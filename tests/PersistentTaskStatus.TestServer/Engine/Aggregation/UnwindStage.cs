using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>
/// $unwind (https://www.mongodb.com/docs/manual/reference/operator/aggregation/unwind/): one output document per
/// array element. A non-array value other than null acts as a one-element array; null, missing and an empty array
/// give no document unless <c>preserveNullAndEmptyArrays</c>.
/// </summary>
internal static class UnwindStage
{
    public static PipelineStage Parse(BsonValue spec)
    {
        string path;
        string? indexField = null;
        var preserve = false;
        switch (spec)
        {
            case BsonString s:
                path = s.Value;
                break;
            case BsonDocument document:
                string? pathValue = null;
                foreach (var element in document)
                {
                    switch (element.Name)
                    {
                        case "path":
                            pathValue = element.Value is BsonString p
                                ? p.Value
                                : throw OperatorShapes.Error(28808, $"Expected a string as the path for $unwind stage, got {Values.TypeName(element.Value)}");
                            break;
                        case "preserveNullAndEmptyArrays":
                            preserve = element.Value is BsonBoolean b
                                ? b.Value
                                : throw OperatorShapes.Error(28809, $"Expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage, got {Values.TypeName(element.Value)}");
                            break;
                        case "includeArrayIndex":
                            indexField = element.Value is BsonString { Value.Length: > 0 } i
                                ? i.Value
                                : throw OperatorShapes.Error(28810, $"Expected a non-empty string for the includeArrayIndex option to $unwind stage, got {Values.TypeName(element.Value)}");
                            if (indexField.StartsWith('$'))
                            {
                                throw OperatorShapes.Error(28822, $"includeArrayIndex option to $unwind stage should not be prefixed with a '$': {indexField}");
                            }

                            break;
                        default:
                            throw OperatorShapes.Error(28811, $"Unrecognized option to $unwind stage: {element.Name}");
                    }
                }

                path = pathValue ?? throw OperatorShapes.Error(28812, "No path specified to $unwind stage");
                break;
            default:
                throw OperatorShapes.Error(15981, $"Expected either a string or an object as specification for $unwind stage, got {Values.TypeName(spec)}");
        }

        if (!path.StartsWith('$'))
        {
            throw OperatorShapes.Error(28818, $"path option to $unwind stage should be prefixed with a '$': {path}");
        }

        var parts = FieldPaths.Split(path[1..]);
        var indexParts = indexField is null ? null : FieldPaths.Split(indexField);
        return new StreamStage((input, _) => input.SelectMany(document => Unwind(document, parts, indexParts, preserve)));
    }

    private static IEnumerable<BsonDocument> Unwind(BsonDocument document, string[] path, string[]? indexPath, bool preserve)
    {
        var value = Read(document, path);
        if (value is BsonArray { Count: > 0 } array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                var output = document.DeepClone().AsBsonDocument;
                Write(output, path, array[i].DeepClone());
                if (indexPath is not null)
                {
                    Write(output, indexPath, new BsonInt64(i));
                }

                yield return output;
            }

            yield break;
        }

        var isNullOrEmpty = value is null or BsonNull or BsonArray;
        if (isNullOrEmpty && !preserve)
        {
            yield break;
        }

        var kept = document.DeepClone().AsBsonDocument;
        if (value is BsonArray)
        {
            // An empty array preserved leaves the document without the field.
            Write(kept, path, null);
        }

        if (indexPath is not null)
        {
            // The manual's example: a non-array value such as "M" is output with a null index.
            Write(kept, indexPath, BsonNull.Value);
        }

        yield return kept;
    }

    // $unwind reads a plain document path: it does not look into arrays along the way.
    private static BsonValue? Read(BsonDocument document, string[] path)
    {
        BsonValue current = document;
        foreach (var part in path)
        {
            if (current is not BsonDocument d || !d.TryGetValue(part, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    private static void Write(BsonDocument document, string[] path, BsonValue? value)
    {
        var current = document;
        for (var i = 0; i < path.Length - 1; i++)
        {
            if (!current.TryGetValue(path[i], out var next) || next is not BsonDocument nested)
            {
                if (value is null)
                {
                    return;
                }

                nested = [];
                current[path[i]] = nested;
            }

            current = nested;
        }

        if (value is null)
        {
            current.Remove(path[^1]);
        }
        else
        {
            current[path[^1]] = value;
        }
    }
}
