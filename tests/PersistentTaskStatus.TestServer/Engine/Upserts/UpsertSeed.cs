using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Upserts;

/// <summary>
/// The document an upsert starts from when nothing matched: the query's equality conditions
/// (https://www.mongodb.com/docs/manual/reference/method/db.collection.update/#upsert-behavior): <c>{a: 1}</c>,
/// <c>{a: {$eq: 1}}</c> and the equalities under a top-level <c>$and</c>, dotted paths as embedded documents.
/// Other operators contribute nothing.
/// </summary>
internal static class UpsertSeed
{
    public static BsonDocument FromQuery(BsonDocument query)
    {
        var seed = new BsonDocument();
        AddEqualities(seed, query);
        return seed;
    }

    private static void AddEqualities(BsonDocument seed, BsonDocument query)
    {
        foreach (var element in query)
        {
            if (element.Name == "$and" && element.Value is BsonArray clauses)
            {
                foreach (var clause in clauses.OfType<BsonDocument>())
                {
                    AddEqualities(seed, clause);
                }

                continue;
            }

            if (element.Name.StartsWith('$'))
            {
                continue;
            }

            if (element.Value is BsonDocument condition && condition.ElementCount > 0 && condition.GetElement(0).Name.StartsWith('$'))
            {
                if (condition.TryGetValue("$eq", out var equal))
                {
                    Set(seed, element.Name, equal);
                }

                continue;
            }

            if (element.Value is BsonRegularExpression)
            {
                continue;
            }

            Set(seed, element.Name, element.Value);
        }
    }

    private static void Set(BsonDocument seed, string path, BsonValue value)
    {
        var parts = path.Split('.');
        var current = seed;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (!current.TryGetValue(parts[i], out var child) || child is not BsonDocument childDocument)
            {
                childDocument = [];
                current[parts[i]] = childDocument;
            }

            current = childDocument;
        }

        current[parts[^1]] = value.DeepClone();
    }
}
