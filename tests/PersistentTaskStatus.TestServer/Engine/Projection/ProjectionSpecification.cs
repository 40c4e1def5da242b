using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Projection;

/// <summary>
/// A parsed projection, for find (https://www.mongodb.com/docs/manual/reference/method/db.collection.find/#projection)
/// and for the aggregation stage <c>$project</c>.
/// </summary>
internal sealed class ProjectionSpecification
{
    private readonly ProjectionNode root;

    private ProjectionSpecification(ProjectionNode root, bool isInclusion, bool isEmpty)
    {
        this.root = root;
        IsInclusion = isInclusion;
        IsEmpty = isEmpty;
    }

    /// <summary>Whether only the listed (and computed) fields are returned, rather than all but the listed ones.</summary>
    public bool IsInclusion { get; }

    /// <summary>An empty find projection, which returns documents unchanged.</summary>
    public bool IsEmpty { get; }

    /// <summary>
    /// Parses and validates a projection. <paramref name="forAggregation"/> is true for the <c>$project</c> stage,
    /// where the find-only operators (<c>$elemMatch</c>, positional <c>field.$</c>) are not allowed.
    /// </summary>
    public static ProjectionSpecification Parse(BsonDocument projection, bool forAggregation)
    {
        if (!forAggregation)
        {
            if (projection.ElementCount == 0)
            {
                return new ProjectionSpecification(new ProjectionNode(ProjectionKind.Path), isInclusion: false, isEmpty: true);
            }

            var (root, inclusion) = ProjectionParser.Parse(projection, forAggregation: false);
            return new ProjectionSpecification(root, inclusion, isEmpty: false);
        }

        try
        {
            if (projection.ElementCount == 0)
            {
                throw new MongoServerException(51272, "Location51272", "projection specification must have at least one field");
            }

            var (root, inclusion) = ProjectionParser.Parse(projection, forAggregation: true);
            return new ProjectionSpecification(root, inclusion, isEmpty: false);
        }
        catch (MongoServerException e) when (e.Code != (int)ErrorCode.NotImplemented)
        {
            // The $project stage reports its parse errors with this prefix.
            throw new MongoServerException(e.Code, e.CodeName, $"Invalid $project :: caused by :: {e.Message}");
        }
    }

    /// <summary>
    /// Returns the projected copy of <paramref name="document"/>; <paramref name="positionalIndex"/> is what the
    /// query's match reported, for <c>field.$</c>.
    /// </summary>
    public BsonDocument Apply(BsonDocument document, int? positionalIndex, ExpressionContext context)
    {
        if (IsEmpty)
        {
            return document.DeepClone().AsBsonDocument;
        }

        var applier = new ProjectionApplier(document, positionalIndex, context);
        var result = IsInclusion ? applier.Include(document, root) : applier.Exclude(document, root);
        return result.DeepClone().AsBsonDocument;
    }
}
