using static PersistentTaskStatus.TestServer.Tests.Engine.Expressions.ExpressionAssert;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

// https://www.mongodb.com/docs/manual/reference/operator/aggregation/mergeObjects/, .../getField/, .../setField/,
// .../type/, .../convert/ and the $toString, $toInt, $toLong, $toDouble, $toDate, $toBool pages, .../concat/,
// .../toLower/, .../toUpper/, .../strLenCP/, .../substrCP/
public sealed class ObjectConversionStringTests
{
    [Fact]
    public void MergeObjects_later_fields_win_and_null_is_ignored() =>
        Evaluates("{ a: 1, b: 3, c: 4 }", "{ $mergeObjects: [ { a: 1, b: 2 }, null, { b: 3, c: 4 } ] }");

    [Fact]
    public void MergeObjects_of_nothing_is_an_empty_document() => Evaluates("{}", "{ $mergeObjects: [ null, '$nope' ] }");

    [Fact]
    public void MergeObjects_of_a_non_document_is_an_error() => Fails(40400, "{ $mergeObjects: [ 1 ] }");

    [Fact]
    public void GetField_reads_a_field_with_a_dot_in_its_name() =>
        Evaluates("5", "{ $getField: 'price.usd' }", "{ 'price.usd': 5 }");

    [Fact]
    public void GetField_reads_from_an_input_document()
    {
        Evaluates("2", "{ $getField: { field: { $literal: '$x' }, input: '$doc' } }", "{ doc: { '$x': 2 } }");
        Missing("{ $getField: { field: 'b', input: { a: 1 } } }");
        Evaluates("null", "{ $getField: { field: 'b', input: null } }");
    }

    [Fact]
    public void SetField_adds_or_replaces_and_remove_deletes()
    {
        Evaluates("{ a: 1, 'b.c': 2 }", "{ $setField: { field: 'b.c', input: { a: 1 }, value: 2 } }");
        Evaluates("{ a: 1 }", "{ $setField: { field: 'b', input: { a: 1, b: 5 }, value: '$$REMOVE' } }");
        Evaluates("null", "{ $setField: { field: 'b', input: null, value: 1 } }");
    }

    [Theory]
    [InlineData("'a'", "string")]
    [InlineData("NumberInt(1)", "int")]
    [InlineData("NumberLong(1)", "long")]
    [InlineData("1.5", "double")]
    [InlineData("NumberDecimal('1')", "decimal")]
    [InlineData("true", "bool")]
    [InlineData("null", "null")]
    [InlineData("[[1]]", "array")]
    [InlineData("{ $literal: { a: 1 } }", "object")]
    [InlineData("ObjectId('5ab9cbfa31c2ab715d42129e')", "objectId")]
    [InlineData("ISODate('2018-03-27T04:08:58Z')", "date")]
    [InlineData("'$nope'", "missing")]
    public void Type_names_the_bson_type(string value, string expected) =>
        Evaluates("'" + expected + "'", "{ $type: " + value + " }");

    [Theory]
    [InlineData("NumberInt(5)", "'5'")]
    [InlineData("NumberLong(5)", "'5'")]
    [InlineData("2.5", "'2.5'")]
    [InlineData("true", "'true'")]
    [InlineData("ISODate('2018-03-27T04:08:58Z')", "'2018-03-27T04:08:58.000Z'")]
    [InlineData("ObjectId('5ab9cbfa31c2ab715d42129e')", "'5ab9cbfa31c2ab715d42129e'")]
    [InlineData("null", "null")]
    public void ToString_converts(string value, string expected) => Evaluates(expected, "{ $toString: " + value + " }");

    [Theory]
    [InlineData("2.9", "NumberInt(2)")]
    [InlineData("-2.9", "NumberInt(-2)")]
    [InlineData("'100'", "NumberInt(100)")]
    [InlineData("true", "NumberInt(1)")]
    [InlineData("NumberLong(5)", "NumberInt(5)")]
    [InlineData("'$nope'", "null")]
    public void ToInt_converts_truncating(string value, string expected) => Evaluates(expected, "{ $toInt: " + value + " }");

    [Fact]
    public void ToInt_of_an_unparsable_string_is_a_conversion_failure() => Fails(241, "{ $toInt: '1.5' }");

    [Fact]
    public void ToInt_that_overflows_is_a_conversion_failure() => Fails(241, "{ $toInt: NumberLong('3000000000') }");

    [Fact]
    public void ToLong_of_a_date_is_its_milliseconds() =>
        Evaluates("NumberLong('1522123738000')", "{ $toLong: ISODate('2018-03-27T04:08:58Z') }");

    [Fact]
    public void ToDouble_converts()
    {
        Evaluates("5.5", "{ $toDouble: '5.5' }");
        Evaluates("1.0", "{ $toDouble: true }");
        Evaluates("5.0", "{ $toDouble: NumberInt(5) }");
    }

    [Fact]
    public void ToDate_converts()
    {
        Evaluates("ISODate('2018-03-27T04:08:58Z')", "{ $toDate: NumberLong('1522123738000') }");
        Evaluates("ISODate('2018-03-03T00:00:00Z')", "{ $toDate: '2018-03-03' }");
        Evaluates("ISODate('2018-03-27T04:08:58Z')", "{ $toDate: ObjectId('5ab9c3da31c2ab715d421285') }");
    }

    [Fact]
    public void ToBool_converts()
    {
        Evaluates("false", "{ $toBool: 0 }");
        Evaluates("true", "{ $toBool: 2.5 }");
        Evaluates("true", "{ $toBool: '' }");
        Evaluates("true", "{ $toBool: 'false' }");
        Evaluates("null", "{ $toBool: null }");
    }

    [Fact]
    public void Convert_uses_onError_and_onNull()
    {
        Evaluates("'bad'", "{ $convert: { input: 'abc', to: 'int', onError: 'bad' } }");
        Evaluates("'none'", "{ $convert: { input: null, to: 'int', onNull: 'none' } }");
        Evaluates("NumberLong(5)", "{ $convert: { input: '5', to: 18 } }");
    }

    [Fact]
    public void Concat_joins_strings() => Evaluates("'a - b'", "{ $concat: [ 'a', ' - ', '$b' ] }", "{ b: 'b' }");

    [Fact]
    public void Concat_with_null_or_missing_is_null()
    {
        Evaluates("null", "{ $concat: [ 'a', null ] }");
        Evaluates("null", "{ $concat: [ 'a', '$nope' ] }");
    }

    [Fact]
    public void Concat_of_a_number_is_an_error() => Fails(16702, "{ $concat: [ 'a', 1 ] }");

    [Fact]
    public void ToLower_and_toUpper()
    {
        Evaluates("'abc1'", "{ $toLower: 'ABC1' }");
        Evaluates("'PRODUCT 1'", "{ $toUpper: 'Product 1' }");
        Evaluates("''", "{ $toUpper: null }");
    }

    [Fact]
    public void StrLenCP_counts_code_points()
    {
        Evaluates("NumberInt(5)", "{ $strLenCP: 'abcde' }");
        Evaluates("NumberInt(4)", "{ $strLenCP: 'cañó' }");
        Evaluates("NumberInt(1)", "{ $strLenCP: '\uD83D\uDE00' }");
    }

    [Fact]
    public void StrLenCP_of_a_non_string_is_an_error() => Fails(34471, "{ $strLenCP: '$nope' }");

    [Fact]
    public void SubstrCP_takes_code_points()
    {
        Evaluates("'WIN'", "{ $substrCP: [ 'WINTER', 0, 3 ] }");
        Evaluates("'ER'", "{ $substrCP: [ 'WINTER', 4, 10 ] }");
        Evaluates("''", "{ $substrCP: [ 'WINTER', 10, 1 ] }");
        Evaluates("'ñó'", "{ $substrCP: [ 'cañó', 2, 2 ] }");
    }

    [Fact]
    public void SubstrCP_negative_start_is_an_error() => Fails(34455, "{ $substrCP: [ 'abc', -1, 1 ] }");
}
