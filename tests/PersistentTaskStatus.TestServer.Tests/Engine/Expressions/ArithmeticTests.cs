using static PersistentTaskStatus.TestServer.Tests.Engine.Expressions.ExpressionAssert;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

// https://www.mongodb.com/docs/manual/reference/operator/aggregation/add/ and the $subtract, $multiply, $divide, $mod,
// $abs, $floor, $ceil, $round, $trunc pages.
public sealed class ArithmeticTests
{
    [Fact]
    public void Add_of_int32s_stays_int32() => Evaluates("NumberInt(5)", "{ $add: [2, 3] }");

    [Fact]
    public void Add_of_int32s_that_overflows_gives_a_long() =>
        Evaluates("NumberLong('2147483648')", "{ $add: [NumberInt(2147483647), 1] }");

    [Fact]
    public void Add_of_longs_that_overflows_gives_a_double() =>
        Evaluates("9223372036854775808.0", "{ $add: [NumberLong('9223372036854775807'), NumberLong(1)] }");

    [Fact]
    public void Add_with_a_long_gives_a_long() => Evaluates("NumberLong(3)", "{ $add: [NumberLong(1), 2] }");

    [Fact]
    public void Add_with_a_double_gives_a_double() => Evaluates("3.5", "{ $add: [1, 2.5] }");

    [Fact]
    public void Add_with_a_decimal_gives_a_decimal() => Evaluates("NumberDecimal('3.5')", "{ $add: [1, NumberDecimal('2.5')] }");

    [Fact]
    public void Add_of_a_date_and_milliseconds_is_a_date() =>
        Evaluates("ISODate('2014-03-04T08:00:00Z')", "{ $add: ['$date', 259200000] }", "{ date: ISODate('2014-03-01T08:00:00Z') }");

    [Fact]
    public void Add_with_null_or_missing_is_null()
    {
        Evaluates("null", "{ $add: [1, null] }");
        Evaluates("null", "{ $add: [1, '$nope'] }");
    }

    [Fact]
    public void Add_of_a_string_is_an_error() => Fails(16554, "{ $add: [1, 'a'] }");

    [Fact]
    public void Add_of_two_dates_is_an_error() => Fails(16612, "{ $add: ['$$NOW', '$$NOW'] }");

    [Fact]
    public void Subtract_of_numbers() => Evaluates("NumberInt(7)", "{ $subtract: [10, 3] }");

    [Fact]
    public void Subtract_of_two_dates_is_milliseconds_as_a_long() =>
        Evaluates("NumberLong(60000)", "{ $subtract: [ ISODate('2014-03-01T08:01:00Z'), ISODate('2014-03-01T08:00:00Z') ] }");

    [Fact]
    public void Subtract_of_milliseconds_from_a_date_is_a_date() =>
        Evaluates("ISODate('2014-03-01T07:55:00Z')", "{ $subtract: [ ISODate('2014-03-01T08:00:00Z'), 300000 ] }");

    [Fact]
    public void Subtract_of_a_date_from_a_number_is_an_error() => Fails(16556, "{ $subtract: [ 5, '$$NOW' ] }");

    [Fact]
    public void Subtract_with_null_is_null() => Evaluates("null", "{ $subtract: [ null, 1 ] }");

    [Fact]
    public void Multiply_of_int32s_stays_int32() => Evaluates("NumberInt(24)", "{ $multiply: [2, 3, 4] }");

    [Fact]
    public void Multiply_that_overflows_int32_gives_a_long() =>
        Evaluates("NumberLong('4294967296')", "{ $multiply: [65536, 65536] }");

    [Fact]
    public void Multiply_with_a_double_gives_a_double() => Evaluates("5.0", "{ $multiply: [2, 2.5] }");

    [Fact]
    public void Multiply_with_missing_is_null() => Evaluates("null", "{ $multiply: [2, '$nope'] }");

    [Fact]
    public void Divide_of_int32s_gives_a_double() => Evaluates("2.5", "{ $divide: [5, 2] }");

    [Fact]
    public void Divide_with_a_decimal_gives_a_decimal() => Evaluates("NumberDecimal('2.5')", "{ $divide: [NumberDecimal('5'), 2] }");

    [Fact]
    public void Divide_by_zero_is_an_error() => Fails(16608, "{ $divide: [1, 0] }");

    [Fact]
    public void Divide_of_a_string_is_an_error() => Fails(16609, "{ $divide: ['a', 1] }");

    [Fact]
    public void Mod_of_int32s_stays_int32() => Evaluates("NumberInt(2)", "{ $mod: [8, 3] }");

    [Fact]
    public void Mod_takes_the_sign_of_the_dividend() => Evaluates("NumberInt(-1)", "{ $mod: [-5, 2] }");

    [Fact]
    public void Mod_of_doubles_is_a_double() => Evaluates("1.5", "{ $mod: [5.5, 2] }");

    [Fact]
    public void Mod_by_zero_is_an_error() => Fails(16610, "{ $mod: [5, 0] }");

    [Fact]
    public void Abs_keeps_the_type()
    {
        Evaluates("NumberInt(5)", "{ $abs: -5 }");
        Evaluates("2.5", "{ $abs: -2.5 }");
        Evaluates("null", "{ $abs: null }");
    }

    [Fact]
    public void Abs_of_the_smallest_int32_is_a_long() =>
        Evaluates("NumberLong('2147483648')", "{ $abs: NumberInt(-2147483648) }");

    [Fact]
    public void Abs_of_a_string_is_an_error() => Fails(28765, "{ $abs: 'a' }");

    [Fact]
    public void Floor_and_ceil_of_doubles()
    {
        Evaluates("1.0", "{ $floor: 1.5 }");
        Evaluates("-3.0", "{ $floor: -2.5 }");
        Evaluates("2.0", "{ $ceil: 1.5 }");
        Evaluates("-2.0", "{ $ceil: -2.5 }");
        Evaluates("NumberInt(7)", "{ $ceil: 7 }");
        Evaluates("null", "{ $floor: null }");
    }

    // The manual's $round example: 19.25 to one place is 19.2 (half to even), -45.39 is -45.4.
    [Theory]
    [InlineData("19.25", "1", "19.2")]
    [InlineData("28.73", "1", "28.7")]
    [InlineData("34.32", "1", "34.3")]
    [InlineData("-45.39", "1", "-45.4")]
    [InlineData("19.25", "0", "19.0")]
    [InlineData("1234.5678", "-2", "1200.0")]
    [InlineData("NumberInt(1234)", "-2", "NumberInt(1200)")]
    [InlineData("NumberInt(1234)", "2", "NumberInt(1234)")]
    [InlineData("NumberDecimal('1.25')", "1", "NumberDecimal('1.2')")]
    public void Round_rounds_half_to_even_and_keeps_the_type(string value, string place, string expected) =>
        Evaluates(expected, "{ $round: [ " + value + ", " + place + " ] }");

    [Theory]
    [InlineData("19.25", "1", "19.2")]
    [InlineData("28.73", "1", "28.7")]
    [InlineData("-45.39", "1", "-45.3")]
    [InlineData("19.9", "0", "19.0")]
    [InlineData("NumberInt(1299)", "-2", "NumberInt(1200)")]
    public void Trunc_drops_digits_toward_zero(string value, string place, string expected) =>
        Evaluates(expected, "{ $trunc: [ " + value + ", " + place + " ] }");

    [Fact]
    public void Round_with_null_is_null() => Evaluates("null", "{ $round: [ null, 1 ] }");

    [Fact]
    public void Round_place_out_of_range_is_an_error() => Fails(51083, "{ $round: [ 1.5, 101 ] }");
}
