using static PersistentTaskStatus.TestServer.Tests.Engine.Expressions.ExpressionAssert;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

// https://www.mongodb.com/docs/manual/reference/operator/aggregation/#array-expression-operators and
// https://www.mongodb.com/docs/manual/reference/operator/aggregation/#set-expression-operators (each operator's page)
public sealed class ArrayAndSetTests
{
    [Fact]
    public void Size_counts_elements() => Evaluates("NumberInt(3)", "{ $size: '$colors' }", "{ colors: ['blue', 'black', 'red'] }");

    [Fact]
    public void Size_of_a_non_array_is_error_17124()
    {
        var error = Fails(17124, "{ $size: '$colors' }", "{}");
        Assert.Equal("The argument to $size must be an array. Type of argument: missing", error.Message);
    }

    [Fact]
    public void ArrayElemAt_reads_from_the_start_or_the_end()
    {
        Evaluates("1", "{ $arrayElemAt: [ [1, 2, 3], 0 ] }");
        Evaluates("3", "{ $arrayElemAt: [ [1, 2, 3], -1 ] }");
    }

    [Fact]
    public void ArrayElemAt_out_of_range_is_missing() => Missing("{ $arrayElemAt: [ [1, 2, 3], 15 ] }");

    [Fact]
    public void ArrayElemAt_of_null_is_null() => Evaluates("null", "{ $arrayElemAt: [ '$nope', 0 ] }");

    [Fact]
    public void ArrayElemAt_of_a_non_array_is_an_error() => Fails(28689, "{ $arrayElemAt: [ 'abc', 0 ] }");

    // The manual's $first/$last examples: empty array gives no value, null or missing gives null.
    [Fact]
    public void First_and_last_of_arrays()
    {
        Evaluates("1", "{ $first: '$x' }", "{ x: [1, 2, 3] }");
        Evaluates("[]", "{ $first: '$x' }", "{ x: [ [] ] }");
        Evaluates("3", "{ $last: '$x' }", "{ x: [1, 2, 3] }");
        Missing("{ $first: '$x' }", "{ x: [] }");
        Evaluates("null", "{ $first: '$x' }", "{ x: null }");
        Evaluates("null", "{ $last: '$x' }", "{}");
    }

    [Fact]
    public void First_of_a_non_array_is_an_error() => Fails(28689, "{ $first: '$x' }", "{ x: 5 }");

    [Fact]
    public void ConcatArrays_joins_arrays() =>
        Evaluates("['hello', ' ', 'world', [1]]", "{ $concatArrays: [ ['hello', ' '], ['world', [1]] ] }");

    [Fact]
    public void ConcatArrays_with_null_is_null() => Evaluates("null", "{ $concatArrays: [ [1], '$nope' ] }");

    [Fact]
    public void ConcatArrays_of_a_non_array_is_an_error() => Fails(28664, "{ $concatArrays: [ [1], 2 ] }");

    [Fact]
    public void In_finds_a_value_in_an_array()
    {
        Evaluates("true", "{ $in: [ 'bananas', '$in_stock' ] }", "{ in_stock: ['apples', 'bananas'] }");
        Evaluates("false", "{ $in: [ 'grapes', '$in_stock' ] }", "{ in_stock: ['apples', 'bananas'] }");
    }

    [Fact]
    public void In_needs_an_array() => Fails(40081, "{ $in: [ 1, '$nope' ] }");

    [Fact]
    public void IndexOfArray_finds_the_first_position()
    {
        Evaluates("NumberInt(1)", "{ $indexOfArray: [ ['a', 'abc', 'b'], 'abc' ] }");
        Evaluates("NumberInt(-1)", "{ $indexOfArray: [ [1, 2], 5 ] }");
        Evaluates("NumberInt(3)", "{ $indexOfArray: [ [1, 2, 3, 2], 2, 2 ] }");
        Evaluates("NumberInt(-1)", "{ $indexOfArray: [ [1, 2, 3, 2], 2, 2, 3 ] }");
        Evaluates("null", "{ $indexOfArray: [ null, 2 ] }");
    }

    [Fact]
    public void IsArray_tells_arrays_apart()
    {
        Evaluates("true", "{ $isArray: [ [1] ] }");
        Evaluates("false", "{ $isArray: 'a' }");
    }

    [Fact]
    public void Slice_takes_from_the_start_or_the_end_or_a_position()
    {
        Evaluates("[1]", "{ $slice: [ [1, 2, 3], 1 ] }");
        Evaluates("[2, 3]", "{ $slice: [ [1, 2, 3], -2 ] }");
        Evaluates("[2]", "{ $slice: [ [1, 2, 3], 1, 1 ] }");
        Evaluates("[2, 3]", "{ $slice: [ [1, 2, 3], -2, 5 ] }");
        Evaluates("[]", "{ $slice: [ [1, 2, 3], 15, 2 ] }");
        Evaluates("null", "{ $slice: [ null, 1 ] }");
    }

    [Fact]
    public void Slice_count_must_be_positive() => Fails(28729, "{ $slice: [ [1], 0, 0 ] }");

    [Fact]
    public void Range_generates_int32s()
    {
        Evaluates("[NumberInt(0), NumberInt(1), NumberInt(2)]", "{ $range: [0, 3] }");
        Evaluates("[NumberInt(0), NumberInt(5), NumberInt(10)]", "{ $range: [0, 11, 5] }");
        Evaluates("[NumberInt(10), NumberInt(8)]", "{ $range: [10, 7, -2] }");
        Evaluates("[]", "{ $range: [0, 5, -1] }");
    }

    [Fact]
    public void Range_step_must_not_be_zero() => Fails(34449, "{ $range: [0, 5, 0] }");

    [Fact]
    public void ReverseArray_reverses()
    {
        Evaluates("[3, 2, 1]", "{ $reverseArray: [ [1, 2, 3] ] }");
        Evaluates("null", "{ $reverseArray: '$nope' }");
    }

    [Fact]
    public void ReverseArray_of_a_non_array_is_an_error() => Fails(34435, "{ $reverseArray: 1 }");

    [Fact]
    public void SetIsSubset_ignores_duplicates_and_order()
    {
        Evaluates("true", "{ $setIsSubset: [ ['a', 'b', 'a'], ['b', 'a', 'c'] ] }");
        Evaluates("false", "{ $setIsSubset: [ ['a', 'd'], ['a'] ] }");
    }

    [Fact]
    public void SetIsSubset_needs_arrays() => Fails(17046, "{ $setIsSubset: [ 1, [] ] }");

    [Fact]
    public void SetUnion_keeps_one_of_each_value()
    {
        var result = Evaluate("{ $setUnion: [ ['a', 'b'], ['b', 'c', 'a'] ] }")!.AsBsonArray;
        Assert.Equal(["a", "b", "c"], result.Select(v => v.AsString).Order());
        Evaluates("null", "{ $setUnion: [ ['a'], null ] }");
    }

    [Fact]
    public void SetDifference_keeps_values_only_in_the_first()
    {
        Evaluates("['a']", "{ $setDifference: [ ['a', 'b', 'a'], ['b'] ] }");
        Evaluates("null", "{ $setDifference: [ null, ['b'] ] }");
    }

    [Fact]
    public void SetDifference_needs_arrays() => Fails(17048, "{ $setDifference: [ 1, [] ] }");

    // The manual's $allElementsTrue/$anyElementTrue examples.
    [Fact]
    public void AllElementsTrue_and_anyElementTrue_use_truthiness()
    {
        Evaluates("true", "{ $allElementsTrue: [ [ true, 1, 'someString' ] ] }");
        Evaluates("false", "{ $allElementsTrue: [ [ [ false ], 0 ] ] }");
        Evaluates("true", "{ $allElementsTrue: [ [] ] }");
        Evaluates("true", "{ $anyElementTrue: [ [ null, false, 0, [] ] ] }");
        Evaluates("false", "{ $anyElementTrue: [ [ null, false, 0 ] ] }");
    }

    [Fact]
    public void AllElementsTrue_needs_an_array() => Fails(17040, "{ $allElementsTrue: [ null ] }");
}
