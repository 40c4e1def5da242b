using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// Parses <c>arrayFilters</c> (https://www.mongodb.com/docs/manual/reference/method/db.collection.updateMany/#std-label-updateMany-arrayFilters):
/// each is a query whose top-level field names all start with one identifier (<c>{ "x.grade": { $gte: 85 } }</c>),
/// evaluated later against <c>{ identifier: element }</c>.
/// </summary>
internal static class ArrayFilterParser
{
    public static IReadOnlyDictionary<string, QueryFilter> Parse(BsonArray? arrayFilters)
    {
        var filters = new Dictionary<string, QueryFilter>(StringComparer.Ordinal);
        if (arrayFilters is null)
        {
            return filters;
        }

        foreach (var value in arrayFilters)
        {
            if (value is not BsonDocument filter)
            {
                throw MongoServerException.TypeMismatch($"Each array filter must be an object, found {BsonText.TypeName(value)}");
            }

            var identifiers = new List<string>();
            CollectIdentifiers(filter, identifiers);
            var distinct = identifiers.Distinct(StringComparer.Ordinal).ToList();
            if (distinct.Count == 0)
            {
                throw MongoServerException.FailedToParse("Cannot use an expression without a top-level field name in arrayFilters");
            }

            if (distinct.Count > 1)
            {
                throw MongoServerException.FailedToParse(
                    $"Error parsing array filter :: caused by :: Expected a single top-level field name, found '{distinct[0]}' and '{distinct[1]}'");
            }

            var identifier = distinct[0];
            if (!IsValidIdentifier(identifier))
            {
                throw MongoServerException.BadValue(
                    $"Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '{identifier}'");
            }

            if (filters.ContainsKey(identifier))
            {
                throw MongoServerException.FailedToParse($"Found multiple array filters with the same top-level field name {identifier}");
            }

            filters[identifier] = QueryFilter.Parse(filter);
        }

        return filters;
    }

    /// <summary>The first component of every path, looking through <c>$and</c>, <c>$or</c> and <c>$nor</c>.</summary>
    private static void CollectIdentifiers(BsonDocument filter, List<string> identifiers)
    {
        foreach (var element in filter)
        {
            if (element.Name is "$and" or "$or" or "$nor" && element.Value is BsonArray clauses)
            {
                foreach (var clause in clauses.OfType<BsonDocument>())
                {
                    CollectIdentifiers(clause, identifiers);
                }
            }
            else if (!element.Name.StartsWith('$'))
            {
                identifiers.Add(element.Name.Split('.')[0]);
            }
        }
    }

    private static bool IsValidIdentifier(string identifier) =>
        identifier.Length > 0 && char.IsAsciiLetterLower(identifier[0]) && identifier.All(char.IsAsciiLetterOrDigit);
}
