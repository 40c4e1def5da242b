using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.ChangeStreams;

/// <summary>
/// The <c>updateDescription</c> of an update change event, from the document before and after
/// (https://www.mongodb.com/docs/manual/reference/change-events/update/): fields set or changed in
/// <c>updatedFields</c> under dotted paths (embedded documents and array elements are described field by field),
/// removed fields in <c>removedFields</c>, arrays that got shorter in <c>truncatedArrays</c>.
/// </summary>
internal static class UpdateDescriptionBuilder
{
    /// <param name="before">The document before the update.</param>
    /// <param name="after">The document after it.</param>
    /// <param name="rewrittenPaths">
    /// Paths an update operator modified without changing their bytes (an <c>$inc</c> of NaN); MongoDB describes an
    /// operator update from its operators, so they are listed as updated although no diff can see them.
    /// </param>
    public static BsonDocument Build(BsonDocument before, BsonDocument after, IReadOnlyList<string>? rewrittenPaths = null)
    {
        var updated = new BsonDocument();
        var removed = new BsonArray();
        var truncated = new BsonArray();
        DiffDocuments(before, after, prefix: "", updated, removed, truncated);
        foreach (var path in rewrittenPaths ?? [])
        {
            if (!updated.Contains(path) && ValueAt(after, path) is { } value)
            {
                updated[path] = value;
            }
        }

        return new BsonDocument
        {
            { "updatedFields", updated },
            { "removedFields", removed },
            { "truncatedArrays", truncated },
        };
    }

    private static void DiffDocuments(BsonDocument before, BsonDocument after, string prefix, BsonDocument updated, BsonArray removed, BsonArray truncated)
    {
        foreach (var element in before)
        {
            if (!after.Contains(element.Name))
            {
                removed.Add(prefix + element.Name);
            }
        }

        foreach (var element in after)
        {
            var path = prefix + element.Name;
            if (!before.TryGetValue(element.Name, out var old))
            {
                updated[path] = element.Value;
            }
            else
            {
                DiffValues(old, element.Value, path, updated, removed, truncated);
            }
        }
    }

    private static void DiffValues(BsonValue old, BsonValue value, string path, BsonDocument updated, BsonArray removed, BsonArray truncated)
    {
        if (old.BsonType != value.BsonType)
        {
            updated[path] = value;
            return;
        }

        switch (value)
        {
            case BsonDocument document:
                DiffDocuments(old.AsBsonDocument, document, path + ".", updated, removed, truncated);
                break;
            case BsonArray array:
                var oldArray = old.AsBsonArray;
                var common = Math.Min(oldArray.Count, array.Count);
                for (var i = 0; i < common; i++)
                {
                    DiffValues(oldArray[i], array[i], $"{path}.{i}", updated, removed, truncated);
                }

                for (var i = common; i < array.Count; i++)
                {
                    updated[$"{path}.{i}"] = array[i];
                }

                if (array.Count < oldArray.Count)
                {
                    truncated.Add(new BsonDocument { { "field", path }, { "newSize", array.Count } });
                }

                break;
            default:
                // Byte equality, as the server's document diff (doc_diff computeDocDiff uses binaryEqual): NaN that
                // stays NaN is no change, while 0.0 becoming -0.0 is one.
                if (!BsonIdentity.Same(old, value))
                {
                    updated[path] = value;
                }

                break;
        }
    }

    private static BsonValue? ValueAt(BsonDocument document, string path)
    {
        BsonValue current = document;
        foreach (var part in path.Split('.'))
        {
            current = current switch
            {
                BsonDocument d when d.TryGetValue(part, out var field) => field,
                BsonArray a when int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null!,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }
}
