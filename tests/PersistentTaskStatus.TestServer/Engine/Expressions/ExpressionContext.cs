using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>
/// What one command evaluates its expressions against: the command's single <c>$$NOW</c> and the user's
/// <c>let</c> variables. <c>$$ROOT</c> and <c>$$CURRENT</c> are bound per document by the evaluator.
/// </summary>
internal sealed class ExpressionContext
{
    public ExpressionContext(DateTime now, BsonDocument? variables = null)
    {
        // MongoDB dates have millisecond precision; $$NOW is one value for the whole command.
        Now = new BsonDateTime(now);
        Variables = variables ?? [];
    }

    /// <summary>The value of <c>$$NOW</c> (and <c>$$CLUSTER_TIME</c>'s wall clock) for this command.</summary>
    public BsonDateTime Now { get; }

    /// <summary>The command's <c>let</c> variables, already evaluated to constants, by name without <c>$$</c>.</summary>
    public BsonDocument Variables { get; }

    public static ExpressionContext ForNow() => new(DateTime.UtcNow);
}
