using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.ChangeStreams;

/// <summary>
/// The <c>updateDescription</c> of an update change event, from the document before and after
/// (https://www.mongodb.com/docs/manual/reference/change-events/update/): fields set or changed in
/// <c>updatedFields</c> under dotted paths (embedded documents and array elements are described field by field),
/// removed fields in <c>removedFields</c>, arrays that got shorter in <c>truncatedArrays</c>.
/// </summary>
public static class UpdateDescriptionBuilder
{
    public static BsonDocument Build(BsonDocument before, BsonDocument after)
    {
        var updated = new BsonDocument();
        var removed = new BsonArray();
        var truncated = new BsonArray();
        DiffDocuments(before, after, prefix: "", updated, removed, truncated);
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
                // stays NaN is no change, while 0.0 becoming -0.0 is one. One known difference: MongoDB builds the
                // description of an operator update from the operators, so an $inc of a NaN (a modification that
                // leaves the same bytes) lists the field there and not here.
                if (!BsonIdentity.Same(old, value))
                {
                    updated[path] = value;
                }

                break;
        }
    }
}
