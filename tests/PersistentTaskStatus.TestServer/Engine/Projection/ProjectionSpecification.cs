using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Projection;

/// <summary>
/// A parsed projection, for find (https://www.mongodb.com/docs/manual/reference/method/db.collection.find/#projection)
/// and for the aggregation stage <c>$project</c>.
/// </summary>
public sealed class ProjectionSpecification
{
    private ProjectionSpecification()
    {
    }

    /// <summary>
    /// Parses and validates a projection. <paramref name="forAggregation"/> is true for the <c>$project</c> stage,
    /// where the find-only operators (<c>$elemMatch</c>, positional <c>field.$</c>) are not allowed.
    /// </summary>
    public static ProjectionSpecification Parse(BsonDocument projection, bool forAggregation) =>
        throw MongoServerException.NotSupported("Projections");

    /// <summary>
    /// Returns the projected copy of <paramref name="document"/>; <paramref name="positionalIndex"/> is what the
    /// query's match reported, for <c>field.$</c>.
    /// </summary>
    public BsonDocument Apply(BsonDocument document, int? positionalIndex, ExpressionContext context) =>
        throw MongoServerException.NotSupported("Projections");
}
