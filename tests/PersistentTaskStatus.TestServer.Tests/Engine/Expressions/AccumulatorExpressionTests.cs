using static PersistentTaskStatus.TestServer.Tests.Engine.Expressions.ExpressionAssert;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

// https://www.mongodb.com/docs/manual/reference/operator/aggregation/sum/#use-in--project-stage and the $avg, $min,
// $max pages ("Use in $project stage"): one array argument works on its elements, several arguments on themselves.
public sealed class AccumulatorExpressionTests
{
    private const string Student = "{ quizzes: [10, 6, 7], labs: [5, 8], final: 80, midterm: 75 }";

    [Fact]
    public void Sum_of_an_array_field() => Evaluates("NumberInt(23)", "{ $sum: '$quizzes' }", Student);

    [Fact]
    public void Sum_of_several_arguments() => Evaluates("NumberInt(155)", "{ $sum: ['$final', '$midterm'] }", Student);

    [Fact]
    public void Sum_ignores_non_numbers() => Evaluates("NumberInt(3)", "{ $sum: [ 1, 'a', null, 2, '$nope' ] }");

    [Fact]
    public void Sum_of_nothing_numeric_is_zero() => Evaluates("NumberInt(0)", "{ $sum: '$nope' }");

    [Fact]
    public void Sum_widens_to_the_widest_type() => Evaluates("3.5", "{ $sum: [ 1, NumberLong(2), 0.5 ] }");

    [Fact]
    public void Avg_of_an_array_is_a_double() => Evaluates("6.5", "{ $avg: '$labs' }", Student);

    [Fact]
    public void Avg_of_several_arguments() => Evaluates("77.5", "{ $avg: ['$final', '$midterm'] }", Student);

    [Fact]
    public void Avg_of_no_numbers_is_null() => Evaluates("null", "{ $avg: [ 'a', null ] }");

    [Fact]
    public void Avg_of_decimals_is_a_decimal() => Evaluates("NumberDecimal('1.5')", "{ $avg: [ NumberDecimal('1'), 2 ] }");

    [Fact]
    public void Min_and_max_of_an_array()
    {
        Evaluates("6", "{ $min: '$quizzes' }", Student);
        Evaluates("10", "{ $max: '$quizzes' }", Student);
    }

    [Fact]
    public void Min_and_max_of_several_arguments_ignore_null_and_missing()
    {
        Evaluates("75", "{ $min: ['$final', '$midterm', null, '$nope'] }", Student);
        Evaluates("null", "{ $max: [ null, '$nope' ] }");
    }

    [Fact]
    public void Max_compares_across_types_in_bson_order() => Evaluates("'a'", "{ $max: [ 1, 'a' ] }");
}
