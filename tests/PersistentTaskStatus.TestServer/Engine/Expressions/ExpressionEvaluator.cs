using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions;

/// <summary>
/// Evaluates aggregation expressions (https://www.mongodb.com/docs/manual/reference/operator/aggregation/).
/// </summary>
public static class ExpressionEvaluator
{
    /// <summary>
    /// Evaluates <paramref name="expression"/> with <c>$$ROOT</c> and <c>$$CURRENT</c> bound to <paramref name="root"/>.
    /// Returns C# <c>null</c> for "missing" (an absent field path or <c>$$REMOVE</c>), which callers treat as "omit
    /// the field"; BSON null is <see cref="BsonNull.Value"/>.
    /// </summary>
    public static BsonValue? Evaluate(BsonValue expression, BsonDocument root, ExpressionContext context) =>
        throw MongoServerException.NotSupported("Aggregation expressions");
}
