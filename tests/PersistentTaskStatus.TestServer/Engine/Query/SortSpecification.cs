using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>
/// A parsed sort document (<c>{ field: 1 | -1, ... }</c>) that orders documents as MongoDB does
/// (https://www.mongodb.com/docs/manual/reference/method/cursor.sort/): an ascending sort on an array uses its smallest
/// element and a descending sort its largest, an empty array sorts before null, and a missing field sorts as null.
/// </summary>
internal sealed class SortSpecification : IComparer<BsonDocument>
{
    private readonly (string[] Parts, bool Descending)[] keys;

    private SortSpecification((string[] Parts, bool Descending)[] keys)
    {
        this.keys = keys;
    }

    public static SortSpecification Parse(BsonDocument sort)
    {
        var keys = new List<(string[], bool)>();
        foreach (var element in sort)
        {
            var value = element.Value;
            if (value is BsonDocument meta && meta.Contains("$meta"))
            {
                throw MongoServerException.NotSupported("Sorting by $meta");
            }

            if (!BsonOrder.IsNumber(value))
            {
                throw new MongoServerException(
                    15974,
                    "Location15974",
                    $"Illegal key in $sort specification: {element.Name}: {value.ToJson()}");
            }

            var direction = BsonOrder.ToDouble(value);
            if (direction is not (1 or -1))
            {
                throw new MongoServerException(
                    15975, "Location15975", "$sort key ordering must be 1 (for ascending) or -1 (for descending)");
            }

            var parts = element.Name.Split('.');
            if (parts.Any(p => p.Length == 0))
            {
                throw new MongoServerException(
                    ErrorCode.Location40352,
                    element.Name.Length == 0
                        ? "FieldPath cannot be constructed with empty string"
                        : "FieldPath field names may not be empty strings.");
            }

            if (parts.Any(p => p.StartsWith('$')))
            {
                throw new MongoServerException(
                    16410,
                    "Location16410",
                    "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
            }

            keys.Add((parts, direction < 0));
        }

        return new SortSpecification([.. keys]);
    }

    /// <summary>Sorts stably: documents that compare equal keep their input order.</summary>
    public List<BsonDocument> Sort(IEnumerable<BsonDocument> documents)
    {
        if (keys.Length == 0)
        {
            return [.. documents];
        }

        var keyed = documents.Select(d => (Document: d, Key: SortKey(d))).ToList();
        return [.. keyed.OrderBy(k => k.Key, new KeyComparer(keys)).Select(k => k.Document)];
    }

    public int Compare(BsonDocument? x, BsonDocument? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        return new KeyComparer(keys).Compare(SortKey(x), SortKey(y));
    }

    private BsonValue[] SortKey(BsonDocument document)
    {
        var key = new BsonValue[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            key[i] = KeyValue(document, keys[i].Parts, keys[i].Descending);
        }

        return key;
    }

    private static BsonValue KeyValue(BsonDocument document, string[] parts, bool descending)
    {
        BsonValue? best = null;
        void Consider(BsonValue candidate)
        {
            if (best is null)
            {
                best = candidate;
                return;
            }

            var comparison = BsonOrder.Instance.Compare(candidate, best);
            if (descending ? comparison > 0 : comparison < 0)
            {
                best = candidate;
            }
        }

        PathWalker.Walk(document, parts, expandLeafArrays: false, (value, _) =>
        {
            switch (value)
            {
                case null:
                    Consider(BsonNull.Value);
                    break;
                case BsonArray { Count: 0 }:
                    // An empty array sorts before null (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/).
                    Consider(BsonUndefined.Value);
                    break;
                case BsonArray array:
                    foreach (var element in array)
                    {
                        Consider(element);
                    }

                    break;
                default:
                    Consider(value);
                    break;
            }

            return false;
        });
        return best ?? BsonNull.Value;
    }

    private sealed class KeyComparer((string[] Parts, bool Descending)[] keys) : IComparer<BsonValue[]>
    {
        public int Compare(BsonValue[]? x, BsonValue[]? y)
        {
            for (var i = 0; i < keys.Length; i++)
            {
                var comparison = BsonOrder.Instance.Compare(x![i], y![i]);
                if (comparison != 0)
                {
                    return keys[i].Descending ? -comparison : comparison;
                }
            }

            return 0;
        }
    }
}
