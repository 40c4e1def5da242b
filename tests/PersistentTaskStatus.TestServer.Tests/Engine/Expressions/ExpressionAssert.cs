using MongoDB.Bson.IO;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

/// <summary>Evaluates expressions written in shell syntax and compares results including their BSON types.</summary>
internal static class ExpressionAssert
{
    public static readonly DateTime Now = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson };

    public static BsonValue? Evaluate(string expression, string document = "{}", string? variables = null) =>
        ExpressionEvaluator.Evaluate(
            BsonDocument.Parse("{ e: " + expression + " }")["e"],
            BsonDocument.Parse(document),
            new ExpressionContext(Now, variables is null ? null : BsonDocument.Parse(variables)));

    /// <summary>Asserts the value and its BSON type (an int32 5 is not a long 5).</summary>
    public static void Same(string expected, BsonValue? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(
            BsonDocument.Parse("{ v: " + expected + " }").ToJson(Canonical),
            new BsonDocument("v", actual).ToJson(Canonical));
    }

    public static void Evaluates(string expected, string expression, string document = "{}") =>
        Same(expected, Evaluate(expression, document));

    public static void Missing(string expression, string document = "{}") => Assert.Null(Evaluate(expression, document));

    public static MongoServerException Fails(int code, string expression, string document = "{}")
    {
        var error = Assert.Throws<MongoServerException>(() => Evaluate(expression, document));
        Assert.Equal(code, error.Code);
        return error;
    }
}
