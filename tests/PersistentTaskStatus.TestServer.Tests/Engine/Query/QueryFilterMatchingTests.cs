using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Query;

// Expectations from the MongoDB manual's query pages:
// https://www.mongodb.com/docs/manual/tutorial/query-documents/
// https://www.mongodb.com/docs/manual/tutorial/query-embedded-documents/
// https://www.mongodb.com/docs/manual/tutorial/query-arrays/
// https://www.mongodb.com/docs/manual/tutorial/query-array-of-documents/
// https://www.mongodb.com/docs/manual/tutorial/query-for-null-fields/
// https://www.mongodb.com/docs/manual/reference/operator/query/
public sealed class QueryFilterMatchingTests
{
    internal static bool Matches(string filter, string document) =>
        QueryFilter.Parse(BsonDocument.Parse(filter)).Matches(BsonDocument.Parse(document), ExpressionContext.ForNow());

    internal static int? Position(string filter, string document)
    {
        Assert.True(QueryFilter.Parse(BsonDocument.Parse(filter))
            .Matches(BsonDocument.Parse(document), ExpressionContext.ForNow(), out var position));
        return position;
    }

    // https://www.mongodb.com/docs/manual/tutorial/query-documents/ and .../query-embedded-documents/
    [Theory]
    [InlineData("{}", "{ a: 1 }", true)]
    [InlineData("{ status: 'D' }", "{ status: 'D' }", true)]
    [InlineData("{ status: 'D' }", "{ status: 'A' }", false)]
    [InlineData("{ status: 'A', qty: { $lt: 30 } }", "{ status: 'A', qty: 25 }", true)]
    [InlineData("{ status: 'A', qty: { $lt: 30 } }", "{ status: 'A', qty: 30 }", false)]
    [InlineData("{ size: { h: 14, w: 21, uom: 'cm' } }", "{ size: { h: 14, w: 21, uom: 'cm' } }", true)]
    [InlineData("{ size: { w: 21, h: 14, uom: 'cm' } }", "{ size: { h: 14, w: 21, uom: 'cm' } }", false)]
    [InlineData("{ 'size.uom': 'in' }", "{ size: { h: 8.5, w: 11, uom: 'in' } }", true)]
    [InlineData("{ 'size.h': { $lt: 15 } }", "{ size: { h: 14 } }", true)]
    [InlineData("{ 'size.h': { $lt: 15 } }", "{ size: { h: 22.85 } }", false)]
    [InlineData("{ 'a.b.c': 1 }", "{ a: { b: { c: 1 } } }", true)]
    [InlineData("{ 'a.b.c': 1 }", "{ a: { b: 5 } }", false)]
    public void Equality_and_embedded_documents(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/tutorial/query-arrays/
    [Theory]
    [InlineData("{ tags: ['red', 'blank'] }", "{ tags: ['red', 'blank'] }", true)]
    [InlineData("{ tags: ['red', 'blank'] }", "{ tags: ['blank', 'red'] }", false)]
    [InlineData("{ tags: ['red', 'blank'] }", "{ tags: [['red', 'blank'], 'x'] }", true)]
    [InlineData("{ tags: 'red' }", "{ tags: ['blue', 'red'] }", true)]
    [InlineData("{ tags: 'red' }", "{ tags: [['red']] }", false)]
    [InlineData("{ tags: { $all: ['red', 'blank'] } }", "{ tags: ['blank', 'red', 'plain'] }", true)]
    [InlineData("{ tags: { $all: ['red', 'blank'] } }", "{ tags: ['red', 'plain'] }", false)]
    [InlineData("{ tags: { $all: [] } }", "{ tags: [] }", false)]
    [InlineData("{ dim_cm: { $gt: 25 } }", "{ dim_cm: [14, 30] }", true)]
    [InlineData("{ dim_cm: { $gt: 15, $lt: 20 } }", "{ dim_cm: [10, 25] }", true)]
    [InlineData("{ dim_cm: { $elemMatch: { $gt: 15, $lt: 20 } } }", "{ dim_cm: [10, 25] }", false)]
    [InlineData("{ dim_cm: { $elemMatch: { $gt: 22, $lt: 30 } } }", "{ dim_cm: [10, 25] }", true)]
    [InlineData("{ 'dim_cm.1': { $gt: 25 } }", "{ dim_cm: [14, 30] }", true)]
    [InlineData("{ 'dim_cm.1': { $gt: 25 } }", "{ dim_cm: [30, 14] }", false)]
    [InlineData("{ tags: { $size: 3 } }", "{ tags: ['a', 'b', 'c'] }", true)]
    [InlineData("{ tags: { $size: 3 } }", "{ tags: ['a', 'b'] }", false)]
    [InlineData("{ tags: { $size: 0 } }", "{ tags: 'a' }", false)]
    [InlineData("{ 'a.b': { $size: 2 } }", "{ a: [{ b: [1, 2] }] }", true)]
    [InlineData("{ a: { $size: 1 } }", "{ a: [[1, 2]] }", true)]
    public void Arrays(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/tutorial/query-array-of-documents/
    [Theory]
    [InlineData("{ instock: { warehouse: 'A', qty: 5 } }", "{ instock: [{ warehouse: 'A', qty: 5 }, { warehouse: 'C', qty: 15 }] }", true)]
    [InlineData("{ instock: { qty: 5, warehouse: 'A' } }", "{ instock: [{ warehouse: 'A', qty: 5 }] }", false)]
    [InlineData("{ 'instock.0.qty': { $lte: 20 } }", "{ instock: [{ warehouse: 'A', qty: 5 }] }", true)]
    [InlineData("{ 'instock.0.qty': { $lte: 20 } }", "{ instock: [{ warehouse: 'A', qty: 40 }, { qty: 5 }] }", false)]
    [InlineData("{ 'instock.qty': { $lte: 20 } }", "{ instock: [{ qty: 40 }, { qty: 5 }] }", true)]
    [InlineData("{ instock: { $elemMatch: { qty: 5, warehouse: 'A' } } }", "{ instock: [{ warehouse: 'A', qty: 5 }] }", true)]
    [InlineData("{ instock: { $elemMatch: { qty: 5, warehouse: 'A' } } }", "{ instock: [{ warehouse: 'A', qty: 60 }, { warehouse: 'B', qty: 5 }] }", false)]
    [InlineData("{ 'instock.qty': 5, 'instock.warehouse': 'A' }", "{ instock: [{ warehouse: 'A', qty: 60 }, { warehouse: 'B', qty: 5 }] }", true)]
    [InlineData("{ instock: { $elemMatch: { qty: { $gt: 10, $lte: 20 } } } }", "{ instock: [{ qty: 5 }, { qty: 15 }] }", true)]
    [InlineData("{ 'instock.qty': { $gt: 10, $lte: 20 } }", "{ instock: [{ qty: 5 }, { qty: 60 }] }", true)]
    [InlineData("{ 'a.b': 1 }", "{ a: [[{ b: 1 }]] }", false)]
    [InlineData("{ 'a.0': 5 }", "{ a: [{ '0': 5 }, 7] }", false)]
    [InlineData("{ 'a.1': 5 }", "{ a: [{ '1': 5 }, 7] }", true)]
    public void Arrays_of_documents(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/tutorial/query-for-null-fields/
    [Theory]
    [InlineData("{ item: null }", "{ item: null }", true)]
    [InlineData("{ item: null }", "{ }", true)]
    [InlineData("{ item: null }", "{ item: 1 }", false)]
    [InlineData("{ item: { $ne: null } }", "{ }", false)]
    [InlineData("{ item: { $ne: null } }", "{ item: 1 }", true)]
    [InlineData("{ item: { $type: 10 } }", "{ item: null }", true)]
    [InlineData("{ item: { $type: 10 } }", "{ }", false)]
    [InlineData("{ item: { $exists: false } }", "{ }", true)]
    [InlineData("{ item: { $exists: false } }", "{ item: null }", false)]
    [InlineData("{ item: { $in: [null, 5] } }", "{ }", true)]
    [InlineData("{ item: { $nin: [null] } }", "{ }", false)]
    [InlineData("{ item: { $gte: null } }", "{ }", true)]
    [InlineData("{ item: { $gt: null } }", "{ }", false)]
    [InlineData("{ 'a.b': null }", "{ a: [{ b: 1 }, { c: 1 }] }", true)]
    [InlineData("{ 'a.b': null }", "{ a: [{ b: 1 }] }", false)]
    [InlineData("{ 'a.b': null }", "{ a: 5 }", true)]
    [InlineData("{ 'a.b': null }", "{ a: [1, 2] }", false)]
    [InlineData("{ a: null }", "{ a: [1, null] }", true)]
    [InlineData("{ a: null }", "{ a: [] }", false)]
    public void Null_and_missing(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/reference/operator/query-comparison/ and
    // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
    [Theory]
    [InlineData("{ a: 5 }", "{ a: NumberLong(5) }", true)]
    [InlineData("{ a: 5 }", "{ a: 5.0 }", true)]
    [InlineData("{ a: 5 }", "{ a: NumberDecimal('5.00') }", true)]
    [InlineData("{ a: { $gt: 5 } }", "{ a: 'string' }", false)]
    [InlineData("{ a: { $lt: 'b' } }", "{ a: 1 }", false)]
    [InlineData("{ a: { $lt: 'b' } }", "{ a: 'a' }", true)]
    [InlineData("{ a: { $gte: 4.5 } }", "{ a: NumberLong(5) }", true)]
    [InlineData("{ a: { $lte: NumberDecimal('4.9') } }", "{ a: 5 }", false)]
    [InlineData("{ a: { $gt: MinKey } }", "{ a: 'x' }", true)]
    [InlineData("{ a: { $lt: MaxKey } }", "{ a: { b: 1 } }", true)]
    [InlineData("{ a: { $gt: MaxKey } }", "{ a: 'x' }", false)]
    [InlineData("{ a: { $gt: ISODate('2020-01-01T00:00:00Z') } }", "{ a: ISODate('2021-01-01T00:00:00Z') }", true)]
    [InlineData("{ a: { $gt: ISODate('2020-01-01T00:00:00Z') } }", "{ a: 1 }", false)]
    [InlineData("{ a: { $eq: NaN } }", "{ a: NaN }", true)]
    [InlineData("{ a: { $gt: NaN } }", "{ a: 5 }", false)]
    [InlineData("{ a: { $lt: 5 } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $ne: 5 } }", "{ a: [4, 5] }", false)]
    [InlineData("{ a: { $ne: 5 } }", "{ a: [4, 6] }", true)]
    [InlineData("{ a: { $ne: 5 } }", "{ }", true)]
    [InlineData("{ a: { $in: [1, 2] } }", "{ a: [3, 2] }", true)]
    [InlineData("{ a: { $in: [] } }", "{ a: 1 }", false)]
    [InlineData("{ a: { $nin: [1, 2] } }", "{ a: [3, 2] }", false)]
    [InlineData("{ a: { $nin: [1, 2] } }", "{ }", true)]
    [InlineData("{ a: { $in: [[1, 2]] } }", "{ a: [1, 2] }", true)]
    [InlineData("{ a: { b: 1 } }", "{ a: { b: 1.0 } }", true)]
    [InlineData("{ a: { $eq: { $gt: 1 } } }", "{ a: { $gt: 1 } }", true)]
    public void Comparisons_and_type_bracketing(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/reference/operator/query/regex/
    [Theory]
    [InlineData("{ sku: /^ABC/ }", "{ sku: 'abc123' }", false)]
    [InlineData("{ sku: /^abc/ }", "{ sku: ['x', 'abc1'] }", true)]
    [InlineData("{ sku: { $in: [/^abc/, 'x'] } }", "{ sku: 'abcdef' }", true)]
    [InlineData("{ sku: { $nin: [/^abc/] } }", "{ sku: 'abcdef' }", false)]
    [InlineData("{ sku: { $eq: /^abc/ } }", "{ sku: 'abcdef' }", false)]
    [InlineData("{ sku: { $eq: /^abc/ } }", "{ sku: /^abc/ }", true)]
    [InlineData("{ sku: /^abc/ }", "{ sku: 5 }", false)]
    [InlineData("{ sku: { $not: /^abc/ } }", "{ sku: 'xyz' }", true)]
    public void Regular_expressions(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/reference/operator/query/regex/ (built in code: the JSON reader would read
    // { $regex, $options } as a regular expression literal).
    [Theory]
    [InlineData("789$", null, "abc789", true)]
    [InlineData("^ABC", "i", "abc123", true)]
    [InlineData("^ABC", null, "abc123", false)]
    [InlineData("^S", "m", "First line\nSecond line", true)]
    [InlineData("^S", null, "First line\nSecond line", false)]
    [InlineData("m.*line", "si", "Many spaces before\nline", true)]
    [InlineData("m.*line", "i", "Many spaces before\nline", false)]
    [InlineData("abc # comment\n 123", "x", "abc123", true)]
    public void Regex_operator_with_options(string pattern, string? options, string value, bool expected)
    {
        var operators = new BsonDocument("$regex", pattern);
        if (options is not null)
        {
            operators.Add("$options", options);
        }

        var filter = QueryFilter.Parse(new BsonDocument("sku", operators));

        Assert.Equal(expected, filter.Matches(new BsonDocument("sku", value), ExpressionContext.ForNow()));
    }

    [Fact]
    public void Regex_operator_takes_a_regular_expression_value_and_not_inverts_it()
    {
        var context = ExpressionContext.ForNow();
        var withRegex = QueryFilter.Parse(new BsonDocument("sku", new BsonDocument("$regex", new BsonRegularExpression("^ABC", "i"))));
        var negated = QueryFilter.Parse(new BsonDocument("sku", new BsonDocument("$not", new BsonDocument("$regex", "^abc"))));

        Assert.True(withRegex.Matches(new BsonDocument("sku", "abc123"), context));
        Assert.False(negated.Matches(new BsonDocument("sku", "abc"), context));
        Assert.True(negated.Matches(new BsonDocument("sku", "xyz"), context));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/query/type/ and .../exists/
    [Theory]
    [InlineData("{ a: { $type: 'string' } }", "{ a: 'x' }", true)]
    [InlineData("{ a: { $type: 2 } }", "{ a: 'x' }", true)]
    [InlineData("{ a: { $type: 'number' } }", "{ a: NumberLong(1) }", true)]
    [InlineData("{ a: { $type: 'number' } }", "{ a: '1' }", false)]
    [InlineData("{ a: { $type: ['string', 'int'] } }", "{ a: 5 }", true)]
    [InlineData("{ a: { $type: 'double' } }", "{ a: 5 }", false)]
    [InlineData("{ a: { $type: 'array' } }", "{ a: [] }", true)]
    [InlineData("{ a: { $type: 'array' } }", "{ a: 'x' }", false)]
    [InlineData("{ a: { $type: 'string' } }", "{ a: [1, 'x'] }", true)]
    [InlineData("{ a: { $type: 'object' } }", "{ a: { } }", true)]
    [InlineData("{ a: { $type: 'minKey' } }", "{ a: MinKey }", true)]
    [InlineData("{ a: { $exists: true } }", "{ a: null }", true)]
    [InlineData("{ a: { $exists: true } }", "{ b: 1 }", false)]
    [InlineData("{ a: { $exists: 1 } }", "{ a: [] }", true)]
    [InlineData("{ 'a.b': { $exists: false } }", "{ a: [{ b: 1 }, { c: 1 }] }", false)]
    [InlineData("{ 'a.b': { $exists: true } }", "{ a: [{ c: 1 }, { b: 1 }] }", true)]
    public void Type_and_exists(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/reference/operator/query-logical/ and .../mod/
    [Theory]
    [InlineData("{ $or: [{ qty: { $lt: 20 } }, { price: 10 }] }", "{ qty: 30, price: 10 }", true)]
    [InlineData("{ $or: [{ qty: { $lt: 20 } }, { price: 10 }] }", "{ qty: 30, price: 11 }", false)]
    [InlineData("{ $and: [{ price: { $ne: 1.99 } }, { price: { $exists: true } }] }", "{ price: 2 }", true)]
    [InlineData("{ $and: [{ price: { $ne: 1.99 } }, { price: { $exists: true } }] }", "{ }", false)]
    [InlineData("{ $nor: [{ price: 1.99 }, { sale: true }] }", "{ }", true)]
    [InlineData("{ $nor: [{ price: 1.99 }, { sale: true }] }", "{ price: 1.99 }", false)]
    [InlineData("{ price: { $not: { $gt: 1.99 } } }", "{ }", true)]
    [InlineData("{ price: { $not: { $gt: 1.99 } } }", "{ price: 1.5 }", true)]
    [InlineData("{ price: { $not: { $gt: 1.99 } } }", "{ price: 2.5 }", false)]
    [InlineData("{ price: { $not: { $gt: 1.99 } } }", "{ price: 'text' }", true)]
    [InlineData("{ qty: { $mod: [4, 0] } }", "{ qty: 12 }", true)]
    [InlineData("{ qty: { $mod: [4, 0] } }", "{ qty: 13 }", false)]
    [InlineData("{ qty: { $mod: [4, 0] } }", "{ qty: 12.8 }", true)]
    [InlineData("{ qty: { $mod: [-4, -1] } }", "{ qty: -5 }", true)]
    [InlineData("{ qty: { $mod: [4.5, 0] } }", "{ qty: 8 }", true)]
    [InlineData("{ qty: { $mod: [4, 0] } }", "{ qty: 'x' }", false)]
    [InlineData("{ $comment: 'why', a: 1 }", "{ a: 1 }", true)]
    public void Logical_operators_and_mod(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/reference/operator/query/elemMatch/ and .../all/
    [Theory]
    [InlineData("{ results: { $elemMatch: { $gte: 80, $lt: 85 } } }", "{ results: [82, 85, 88] }", true)]
    [InlineData("{ results: { $elemMatch: { $gte: 80, $lt: 85 } } }", "{ results: [75, 88, 89] }", false)]
    [InlineData("{ results: { $elemMatch: { product: 'xyz', score: { $gte: 8 } } } }", "{ results: [{ product: 'abc', score: 10 }, { product: 'xyz', score: 9 }] }", true)]
    [InlineData("{ results: { $elemMatch: { product: 'xyz', score: { $gte: 8 } } } }", "{ results: [{ product: 'abc', score: 10 }, { product: 'xyz', score: 5 }] }", false)]
    [InlineData("{ results: { $elemMatch: { product: { $ne: 'xyz' } } } }", "{ results: [{ product: 'xyz' }, { product: 'abc' }] }", true)]
    [InlineData("{ results: { $elemMatch: { $or: [{ a: 1 }, { b: 2 }] } } }", "{ results: [{ b: 2 }] }", true)]
    [InlineData("{ results: { $elemMatch: { $ne: 1 } } }", "{ results: [1, 1] }", false)]
    [InlineData("{ results: { $elemMatch: { $elemMatch: { $eq: 1 } } } }", "{ results: [[2], [1]] }", true)]
    [InlineData("{ results: { $elemMatch: { a: 1 } } }", "{ results: { a: 1 } }", false)]
    [InlineData("{ qty: { $all: [{ $elemMatch: { size: 'M', num: { $gt: 50 } } }, { $elemMatch: { num: 100, color: 'green' } }] } }", "{ qty: [{ size: 'S', num: 10, color: 'blue' }, { size: 'M', num: 100, color: 'blue' }, { size: 'L', num: 100, color: 'green' }] }", true)]
    [InlineData("{ qty: { $all: [{ $elemMatch: { size: 'M', num: { $gt: 50 } } }, { $elemMatch: { num: 100, color: 'green' } }] } }", "{ qty: [{ size: 'M', num: 100, color: 'blue' }] }", false)]
    [InlineData("{ tags: { $all: [['ssl', 'security']] } }", "{ tags: ['ssl', 'security'] }", true)]
    [InlineData("{ tags: { $all: [['ssl', 'security']] } }", "{ tags: [['ssl', 'security'], 'x'] }", true)]
    [InlineData("{ tags: { $all: ['ssl'] } }", "{ tags: 'ssl' }", true)]
    [InlineData("{ tags: { $all: [/^s/, 'x'] } }", "{ tags: ['sun', 'x'] }", true)]
    public void ElemMatch_and_all(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/reference/operator/query/expr/ (calls ExpressionEvaluator, which another part
    // of the server implements).
    [Theory]
    [InlineData("{ $expr: { $gt: ['$spent', '$budget'] } }", "{ budget: 400, spent: 450 }", true)]
    [InlineData("{ $expr: { $gt: ['$spent', '$budget'] } }", "{ budget: 400, spent: 300 }", false)]
    public void Expr_uses_aggregation_expressions(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    // https://www.mongodb.com/docs/manual/reference/operator/update/positional/: the position of the first array
    // element the query matched.
    [Theory]
    [InlineData("{ grades: 80 }", "{ grades: [85, 80, 80] }", 1)]
    [InlineData("{ grades: { $gte: 90 } }", "{ grades: [85, 95] }", 1)]
    [InlineData("{ 'grades.grade': 85 }", "{ grades: [{ grade: 80 }, { grade: 85 }] }", 1)]
    [InlineData("{ grades: { $elemMatch: { grade: { $lte: 90 }, mean: { $gt: 80 } } } }", "{ grades: [{ grade: 95, mean: 90 }, { grade: 85, mean: 85 }] }", 1)]
    [InlineData("{ _id: 1, 'items.sku': 'b' }", "{ _id: 1, items: [{ sku: 'a' }, { sku: 'c' }, { sku: 'b' }] }", 2)]
    [InlineData("{ $or: [{ a: 9 }, { a: 3 }] }", "{ a: [1, 2, 3] }", 2)]
    public void The_positional_index_is_the_matched_array_element(string filter, string document, int expected) =>
        Assert.Equal(expected, Position(filter, document));

    [Theory]
    [InlineData("{ a: 1 }", "{ a: 1 }")]
    [InlineData("{ a: [1, 2] }", "{ a: [1, 2] }")]
    [InlineData("{ a: { $ne: 3 } }", "{ a: [1, 2] }")]
    [InlineData("{ a: { $size: 2 } }", "{ a: [1, 2] }")]
    public void No_positional_index_when_no_array_element_matched(string filter, string document) =>
        Assert.Null(Position(filter, document));

    [Fact]
    public void The_positional_index_is_null_when_the_document_does_not_match()
    {
        var filter = QueryFilter.Parse(BsonDocument.Parse("{ a: 5 }"));

        Assert.False(filter.Matches(BsonDocument.Parse("{ a: [1, 2] }"), ExpressionContext.ForNow(), out var position));
        Assert.Null(position);
    }
}
