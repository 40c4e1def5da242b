using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>A parsed query filter (https://www.mongodb.com/docs/manual/reference/operator/query/).</summary>
internal sealed class QueryFilter
{
    private readonly IMatcher root;

    private QueryFilter(IMatcher root)
    {
        this.root = root;
    }

    /// <summary>Parses and validates a filter; an invalid filter throws <see cref="MongoServerException"/>.</summary>
    public static QueryFilter Parse(BsonDocument filter) => new(FilterParser.ParseDocument(filter, topLevel: true));

    public bool Matches(BsonDocument document, ExpressionContext context) => Matches(document, context, out _);

    /// <summary>
    /// Whether the document matches; <paramref name="positionalIndex"/> receives the index of the array element that
    /// the match went through (what the positional <c>$</c> operator of an update or projection refers to), or null.
    /// </summary>
    public bool Matches(BsonDocument document, ExpressionContext context, out int? positionalIndex)
    {
        int? position = null;
        var matched = root.Matches(document, context, ref position);
        positionalIndex = matched ? position : null;
        return matched;
    }
}
