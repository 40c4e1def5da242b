using static PersistentTaskStatus.TestServer.Tests.Engine.Expressions.ExpressionAssert;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

// https://www.mongodb.com/docs/manual/reference/operator/aggregation/cmp/ and the $eq, $ne, $gt, $gte, $lt, $lte pages;
// https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
public sealed class ComparisonTests
{
    [Theory]
    [InlineData("{ $eq: ['$qty', 250] }", "true")]
    [InlineData("{ $ne: ['$qty', 250] }", "false")]
    [InlineData("{ $gt: ['$qty', 250] }", "false")]
    [InlineData("{ $gte: ['$qty', 250] }", "true")]
    [InlineData("{ $lt: ['$qty', 300] }", "true")]
    [InlineData("{ $lte: ['$qty', 200] }", "false")]
    [InlineData("{ $cmp: ['$qty', 250] }", "0")]
    [InlineData("{ $cmp: ['$qty', 300] }", "-1")]
    [InlineData("{ $cmp: ['$qty', 100] }", "1")]
    public void Compares_numbers(string expression, string expected) => Evaluates(expected, expression, "{ qty: 250 }");

    [Fact]
    public void Numbers_of_different_types_compare_by_value() =>
        Evaluates("true", "{ $eq: [ NumberLong(5), 5.0 ] }");

    [Fact]
    public void Values_of_different_types_compare_in_bson_order_without_type_bracketing()
    {
        Evaluates("true", "{ $gt: [ 'a', 1000 ] }");
        Evaluates("true", "{ $lt: [ null, 0 ] }");
        Evaluates("1", "{ $cmp: [ { $literal: { a: 1 } }, 'z' ] }");
    }

    [Fact]
    public void Missing_is_not_equal_to_null_and_sorts_below_it()
    {
        Evaluates("false", "{ $eq: [ '$nope', null ] }");
        Evaluates("true", "{ $lt: [ '$nope', null ] }");
    }

    [Fact]
    public void Comparisons_take_exactly_two_arguments()
    {
        var error = Fails(16020, "{ $eq: [ 1 ] }");
        Assert.Equal("Expression $eq takes exactly 2 arguments. 1 were passed in.", error.Message);
    }
}
