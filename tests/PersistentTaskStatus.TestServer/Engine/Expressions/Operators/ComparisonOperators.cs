using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// $eq $ne $gt $gte $lt $lte $cmp: values of any types compared in BSON order, without the query language's type
/// bracketing (https://www.mongodb.com/docs/manual/reference/operator/aggregation/#comparison-expression-operators).
/// </summary>
internal static class ComparisonOperators
{
    public static void Register(Dictionary<string, OperatorParser> table)
    {
        table["$eq"] = OperatorShapes.Fixed(2, args => Values.Bool(Values.Compare(args[0], args[1]) == 0));
        table["$ne"] = OperatorShapes.Fixed(2, args => Values.Bool(Values.Compare(args[0], args[1]) != 0));
        table["$gt"] = OperatorShapes.Fixed(2, args => Values.Bool(Values.Compare(args[0], args[1]) > 0));
        table["$gte"] = OperatorShapes.Fixed(2, args => Values.Bool(Values.Compare(args[0], args[1]) >= 0));
        table["$lt"] = OperatorShapes.Fixed(2, args => Values.Bool(Values.Compare(args[0], args[1]) < 0));
        table["$lte"] = OperatorShapes.Fixed(2, args => Values.Bool(Values.Compare(args[0], args[1]) <= 0));
        table["$cmp"] = OperatorShapes.Fixed(2, args => new BsonInt32(Math.Sign(Values.Compare(args[0], args[1]))));
    }
}
