using PersistentTaskStatus.TestServer.Tests.Engine.Aggregation;
using static PersistentTaskStatus.TestServer.Tests.Engine.Expressions.ExpressionAssert;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

// MongoDB sums with DoubleDoubleSummation (src/mongo/util/summation.h: 2Sum and Fast2Sum keep the rounding error of
// each addition) in $sum and $avg, as accumulators and as expressions (accumulator_sum.cpp, accumulator_avg.cpp). The
// inputs below are chosen so that a plain running total differs from it in the last bits.
public sealed class SummationTests
{
    [Fact]
    public void Sum_of_doubles_is_compensated_where_a_running_total_rounds_twice()
    {
        // A running total gives 0.6000000000000001 (0.1 + 0.2 is already rounded up).
        Evaluates("0.6", "{ $sum: [ 0.1, 0.2, 0.3 ] }");
        Assert.NotEqual(0.6, 0.1 + 0.2 + 0.3);
    }

    [Fact]
    public void Sum_keeps_the_small_addends_that_a_running_total_loses_to_a_large_one()
    {
        // 1e16 + 1 rounds back to 1e16 twice in a running total; the exact sum is representable.
        Evaluates("1.0000000000000002E16", "{ $sum: [ 1e16, 1.0, 1.0 ] }");
        Assert.Equal(1e16, 1e16 + 1.0 + 1.0);
    }

    [Fact]
    public void Sum_of_an_array_of_tenths_is_exact()
    {
        Evaluates("1.0", "{ $sum: [ 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 ] }");
    }

    [Fact]
    public void Avg_divides_the_compensated_sum()
    {
        // A running total of ten 0.1s is 0.9999999999999999, and its tenth 0.09999999999999999.
        Evaluates("0.1", "{ $avg: [ 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 ] }");
    }

    [Fact]
    public void Sum_of_longs_near_the_limit_stays_exact_and_a_long()
    {
        // Through doubles the parts are exact (a long is added as its high and low 32 bits).
        Evaluates("NumberLong('9223372036854775807')", "{ $sum: [ NumberLong('9223372036854775806'), NumberLong(1) ] }");
        Evaluates("NumberLong('-9223372036854775808')", "{ $sum: [ NumberLong('-9223372036854775807'), NumberLong(-1) ] }");
    }

    [Fact]
    public void Sum_past_the_long_range_becomes_a_double_and_int32_overflow_a_long()
    {
        Evaluates("9.2233720368547758E18", "{ $sum: [ NumberLong('9223372036854775807'), NumberLong(1) ] }");
        Evaluates("NumberLong(2147483648)", "{ $sum: [ 2147483647, 1 ] }");
    }

    [Fact]
    public void Infinities_sum_to_the_plain_total_instead_of_NaN()
    {
        Evaluates("Infinity", "{ $sum: [ Infinity, 1.0 ] }");
        Evaluates("NaN", "{ $sum: [ Infinity, -Infinity ] }");
    }

    [Fact]
    public void Group_sum_and_avg_of_a_field_are_compensated()
    {
        var documents = Enumerable.Range(0, 10).Select(_ => "{ g: 1, x: 0.1 }").ToArray();

        var result = PipelineRunner.Run("[ { $group: { _id: '$g', s: { $sum: '$x' }, a: { $avg: '$x' } } } ]", documents);

        PipelineRunner.Produces(["{ _id: 1, s: 1.0, a: 0.1 }"], result);
    }

    [Fact]
    public void Group_sum_of_a_constant_adds_it_plainly_as_MongoDB_does()
    {
        // AccumulatorSum::getConstantArgument: a constant int, long or double is summed without compensation.
        var documents = Enumerable.Range(0, 10).Select(_ => "{ g: 1 }").ToArray();

        var result = PipelineRunner.Run("[ { $group: { _id: '$g', s: { $sum: 0.1 }, n: { $sum: 1 } } } ]", documents);

        PipelineRunner.Produces(["{ _id: 1, s: 0.9999999999999999, n: NumberInt(10) }"], result);
    }
}
