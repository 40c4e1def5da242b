using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// A parsed update document of update operators (https://www.mongodb.com/docs/manual/reference/operator/update/).
/// Replacement documents and pipeline updates are handled elsewhere.
/// </summary>
public sealed class UpdateSpecification
{
    private UpdateSpecification()
    {
    }

    /// <summary>
    /// Parses and validates the update and its <c>arrayFilters</c> before any document is touched, as MongoDB does
    /// (an unknown operator fails even when nothing matches).
    /// </summary>
    public static UpdateSpecification Parse(BsonDocument update, BsonArray? arrayFilters) =>
        throw MongoServerException.NotSupported("Update operators");

    /// <summary>
    /// Applies the update to <paramref name="document"/> in place and returns whether it changed.
    /// </summary>
    public bool Apply(BsonDocument document, UpdateContext context) =>
        throw MongoServerException.NotSupported("Update operators");
}

/// <summary>What an update needs besides the document.</summary>
public sealed class UpdateContext
{
    public required ExpressionContext Expressions { get; init; }

    /// <summary>The array index that the query matched through, for the positional <c>$</c> operator.</summary>
    public int? PositionalIndex { get; init; }

    /// <summary>True when the update builds a new document of an upsert (then <c>$setOnInsert</c> applies).</summary>
    public bool IsUpsertInsert { get; init; }
}
