using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>Dotted-path reads that the storage layer needs for index keys.</summary>
internal static class DocumentPaths
{
    public static bool Exists(BsonDocument document, string path) => Resolve(document, path.Split('.'), 0).Any();

    /// <summary>The values an index on <paramref name="path"/> holds for the document; missing gives null.</summary>
    public static IReadOnlyList<BsonValue> IndexValues(BsonDocument document, string path)
    {
        var values = new List<BsonValue>();
        foreach (var value in Resolve(document, path.Split('.'), 0))
        {
            if (value is BsonArray array)
            {
                if (array.Count == 0)
                {
                    // An empty array indexes as undefined; null keeps it distinct enough for uniqueness checks.
                    values.Add(BsonUndefined.Value);
                }
                else
                {
                    values.AddRange(array);
                }
            }
            else
            {
                values.Add(value);
            }
        }

        if (values.Count == 0)
        {
            values.Add(BsonNull.Value);
        }

        return values.Distinct(Engine.BsonOrder.Instance).ToList();
    }

    private static IEnumerable<BsonValue> Resolve(BsonValue current, string[] parts, int index)
    {
        if (index == parts.Length)
        {
            yield return current;
            yield break;
        }

        switch (current)
        {
            case BsonDocument document when document.TryGetValue(parts[index], out var child):
                foreach (var value in Resolve(child, parts, index + 1))
                {
                    yield return value;
                }

                break;
            case BsonArray array:
                if (int.TryParse(parts[index], out var position) && position >= 0 && position < array.Count)
                {
                    foreach (var value in Resolve(array[position], parts, index + 1))
                    {
                        yield return value;
                    }
                }

                foreach (var element in array)
                {
                    if (element is BsonDocument)
                    {
                        foreach (var value in Resolve(element, parts, index))
                        {
                            yield return value;
                        }
                    }
                }

                break;
        }
    }
}
