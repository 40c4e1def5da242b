using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Projection;

/// <summary>
/// Applies a projection tree to one document. Inclusion keeps the included fields in the document's order and then
/// sets computed fields in the projection's order (a computed field that already exists keeps its place), as
/// MongoDB 4.4+ does; <c>$elemMatch</c> results therefore come after the other fields.
/// </summary>
internal sealed class ProjectionApplier(BsonDocument root, int? positionalIndex, ExpressionContext context)
{
    public BsonDocument Include(BsonDocument source, ProjectionNode node)
    {
        var output = new BsonDocument();
        foreach (var element in source)
        {
            if (!node.TryGetChild(element.Name, out var child))
            {
                continue;
            }

            switch (child.Kind)
            {
                case ProjectionKind.Include:
                case ProjectionKind.Slice:
                case ProjectionKind.Positional:
                    output.Add(element.Name, element.Value);
                    break;
                case ProjectionKind.Path:
                    {
                        var projected = IncludeValue(element.Value, child);
                        if (projected is not null)
                        {
                            output.Add(element.Name, projected);
                        }

                        break;
                    }
            }
        }

        foreach (var name in node.Order)
        {
            var child = node.Child(name);
            switch (child.Kind)
            {
                case ProjectionKind.Expression:
                    SetOrRemove(output, name, ExpressionEvaluator.Evaluate(child.Expression!, root, context));
                    break;
                case ProjectionKind.ElemMatch:
                    SetOrRemove(output, name, ElemMatch(name, child));
                    break;
                case ProjectionKind.Slice:
                case ProjectionKind.Positional:
                    if (output.TryGetValue(name, out var value))
                    {
                        output[name] = child.Kind == ProjectionKind.Slice ? Slice(value, child) : Positional(value);
                    }

                    break;
                case ProjectionKind.Path when !output.Contains(name) && child.HasComputedFields():
                    output.Add(name, Include([], child));
                    break;
            }
        }

        return output;
    }

    public BsonDocument Exclude(BsonDocument source, ProjectionNode node)
    {
        var output = new BsonDocument();
        foreach (var element in source)
        {
            if (!node.TryGetChild(element.Name, out var child))
            {
                output.Add(element.Name, element.Value);
                continue;
            }

            switch (child.Kind)
            {
                case ProjectionKind.Exclude:
                    break;
                case ProjectionKind.Path:
                    output.Add(element.Name, ExcludeValue(element.Value, child));
                    break;
                case ProjectionKind.Slice:
                    output.Add(element.Name, Slice(element.Value, child));
                    break;
                case ProjectionKind.ElemMatch:
                    {
                        var matched = ElemMatch(element.Name, child);
                        if (matched is not null)
                        {
                            output.Add(element.Name, matched);
                        }

                        break;
                    }

                default:
                    output.Add(element.Name, element.Value);
                    break;
            }
        }

        return output;
    }

    private static void SetOrRemove(BsonDocument output, string name, BsonValue? value)
    {
        if (value is null)
        {
            output.Remove(name);
        }
        else
        {
            output[name] = value;
        }
    }

    private static BsonValue Slice(BsonValue value, ProjectionNode node)
    {
        if (value is not BsonArray array)
        {
            return value;
        }

        int start;
        int count;
        if (node.SliceSkip is { } skip)
        {
            start = skip >= 0 ? Math.Min(skip, array.Count) : Math.Max(0, array.Count + skip);
            count = Math.Min(node.SliceLimit, array.Count - start);
        }
        else if (node.SliceLimit >= 0)
        {
            start = 0;
            count = Math.Min(node.SliceLimit, array.Count);
        }
        else
        {
            start = Math.Max(0, array.Count + node.SliceLimit);
            count = array.Count - start;
        }

        return new BsonArray(array.Skip(start).Take(count));
    }

    private BsonValue IncludeValue(BsonValue value, ProjectionNode node) => value switch
    {
        BsonDocument document => Include(document, node),
        BsonArray array => new BsonArray(array
            .Select(element => element is BsonDocument or BsonArray || node.HasComputedFields() ? IncludeValue(element, node) : null)
            .Where(element => element is not null)),
        // A scalar where the projection expects a document: dropped, or replaced by the computed fields alone.
        _ => node.HasComputedFields() ? Include([], node) : null!,
    };

    private BsonValue ExcludeValue(BsonValue value, ProjectionNode node) => value switch
    {
        BsonDocument document => Exclude(document, node),
        BsonArray array => new BsonArray(array.Select(element => ExcludeValue(element, node))),
        _ => value,
    };

    private BsonValue? ElemMatch(string name, ProjectionNode node)
    {
        if (!node.ElemMatch!.Matches(root, context, out var index) || index is null
            || root.GetValue(name, null) is not BsonArray array || index >= array.Count)
        {
            return null;
        }

        return new BsonArray { array[index.Value] };
    }

    private BsonValue Positional(BsonValue value)
    {
        if (value is not BsonArray array)
        {
            return value;
        }

        if (positionalIndex is not { } index)
        {
            throw new MongoServerException(
                51246, "Location51246", "positional operator '.$' couldn't find a matching element in the array");
        }

        if (index >= array.Count)
        {
            throw new MongoServerException(51247, "Location51247", "positional operator '.$' element mismatch");
        }

        return new BsonArray { array[index] };
    }
}
