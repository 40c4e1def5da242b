using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>
/// Resolves a dotted path the way MongoDB's matcher does
/// (https://www.mongodb.com/docs/manual/core/document/#dot-notation): arrays met mid-path are traversed into their
/// document elements, a numeric component also selects that array index, and a path that ends at an array yields
/// each element and then the array itself. A C# null value stands for "missing".
/// </summary>
internal static class PathWalker
{
    /// <summary>Visits values at the path; returns true as soon as <paramref name="visit"/> does.</summary>
    /// <param name="root">Where the path starts.</param>
    /// <param name="parts">The path's components.</param>
    /// <param name="expandLeafArrays">Whether an array at the end of the path yields its elements before itself.</param>
    /// <param name="visit">Receives the value (null for missing) and the index in the outermost traversed array.</param>
    public static bool Walk(
        BsonValue root, string[] parts, bool expandLeafArrays, Func<BsonValue?, int?, bool> visit) =>
        Walk(root, parts, 0, expandLeafArrays, null, visit);

    /// <summary>The index a path component selects in an array, or -1 when it is not a canonical array index.</summary>
    public static int ArrayIndex(string part)
    {
        if (part.Length == 0 || part.Length > 9 || (part.Length > 1 && part[0] == '0'))
        {
            return -1;
        }

        foreach (var c in part)
        {
            if (c is < '0' or > '9')
            {
                return -1;
            }
        }

        return int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool Walk(
        BsonValue current, string[] parts, int index, bool expandLeafArrays, int? offset, Func<BsonValue?, int?, bool> visit)
    {
        if (index == parts.Length)
        {
            if (expandLeafArrays && current is BsonArray leaf)
            {
                for (var i = 0; i < leaf.Count; i++)
                {
                    if (visit(leaf[i], offset ?? i))
                    {
                        return true;
                    }
                }
            }

            return visit(current, offset);
        }

        switch (current)
        {
            case BsonDocument document:
                return document.TryGetValue(parts[index], out var child)
                    ? Walk(child, parts, index + 1, expandLeafArrays, offset, visit)
                    : visit(null, offset);
            case BsonArray array:
                {
                    var position = ArrayIndex(parts[index]);
                    for (var i = 0; i < array.Count; i++)
                    {
                        // MongoDB never descends into arrays nested directly in arrays mid-path, and scalar elements
                        // do not count as "missing" for the remaining path.
                        if (i == position)
                        {
                            if (Walk(array[i], parts, index + 1, expandLeafArrays, offset ?? i, visit))
                            {
                                return true;
                            }
                        }
                        else if (array[i] is BsonDocument && Walk(array[i], parts, index, expandLeafArrays, offset ?? i, visit))
                        {
                            return true;
                        }
                    }

                    return false;
                }

            default:
                return visit(null, offset);
        }
    }
}
