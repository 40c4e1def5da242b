using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.ChangeStreams;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Updates;
using PersistentTaskStatus.TestServer.Tests.Engine.Aggregation;
using PersistentTaskStatus.TestServer.Tests.Engine.Expressions;
using PersistentTaskStatus.TestServer.Tests.Engine.Query;
using PersistentTaskStatus.TestServer.Tests.Engine.Updates;

namespace PersistentTaskStatus.TestServer.Tests.Engine;

// NaN in MongoDB has two orders, and both are tested here:
// - Sorting and every comparison outside the query language ($sort, $max/$min update operators, aggregation $eq/$cmp/
//   $max/$min, unique index keys, $in) use the BSON order, where NaN equals NaN and is below every other number:
//   the server's compareDoubles (src/mongo/base/compare_numbers.h: "If none of the above cases returned, lhs or rhs
//   must be NaN. if (isNaN(lhs)) return isNaN(rhs) ? 0 : -1;").
// - Query comparison operators special-case it: ComparisonMatchExpression::matchesSingleElement
//   (src/mongo/db/matcher/expression_leaf.cpp, "NaN is equal to NaN but otherwise always compares to false"): $lt and
//   $gt never match when either side is NaN, $lte/$gte/$eq match only NaN against NaN.
// - An update that writes a value binary-equal to the stored one is a no-op (SetNode uses binaryEqualValues), and a
//   change event's updateDescription lists only fields whose bytes changed (doc_diff::computeDocDiff compares with
//   binaryEqual), so NaN that stays the same NaN is neither a modification nor an updated field.
public sealed class NaNSemanticsTests
{
    [Theory]
    [InlineData("{ a: NaN }", "{ a: NaN }", true)]
    [InlineData("{ a: NaN }", "{ a: NumberDecimal('NaN') }", true)]
    [InlineData("{ a: NumberDecimal('NaN') }", "{ a: NaN }", true)]
    [InlineData("{ a: NaN }", "{ a: 5 }", false)]
    [InlineData("{ a: NaN }", "{ a: [1, NaN] }", true)]
    [InlineData("{ a: { $eq: NaN } }", "{ a: NaN }", true)]
    [InlineData("{ a: { $ne: NaN } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $ne: NaN } }", "{ a: 5 }", true)]
    [InlineData("{ a: { $gte: NaN } }", "{ a: NaN }", true)]
    [InlineData("{ a: { $lte: NaN } }", "{ a: NaN }", true)]
    [InlineData("{ a: { $lte: NaN } }", "{ a: -Infinity }", false)]
    [InlineData("{ a: { $gt: NaN } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $lt: NaN } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $gt: NaN } }", "{ a: 5 }", false)]
    [InlineData("{ a: { $lt: 5 } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $lt: Infinity } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $gt: -Infinity } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $lte: 5 } }", "{ a: NumberDecimal('NaN') }", false)]
    [InlineData("{ a: { $in: [NaN] } }", "{ a: NaN }", true)]
    [InlineData("{ a: { $in: [NaN] } }", "{ a: NumberDecimal('NaN') }", true)]
    [InlineData("{ a: { $in: [1, 2] } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $nin: [NaN] } }", "{ a: NaN }", false)]
    [InlineData("{ a: { $type: 'double' } }", "{ a: NaN }", true)]
    [InlineData("{ a: { $mod: [2, 0] } }", "{ a: NaN }", false)]
    [InlineData("{ $expr: { $eq: ['$a', NaN] } }", "{ a: NaN }", true)]
    [InlineData("{ $expr: { $lt: ['$a', -Infinity] } }", "{ a: NaN }", true)]
    public void Queries_match_NaN_as_MongoDB_does(string filter, string document, bool expected) =>
        Assert.Equal(expected, QueryFilterMatchingTests.Matches(filter, document));

    [Fact]
    public void NaN_sorts_below_every_other_number_and_above_null()
    {
        var documents = new[]
        {
            "{ _id: 1, a: 0 }",
            "{ _id: 2, a: NaN }",
            "{ _id: 3, a: -Infinity }",
            "{ _id: 4, a: null }",
            "{ _id: 5, a: NumberDecimal('NaN') }",
            "{ _id: 6, a: NumberLong(-9223372036854775807) }",
            "{ _id: 7, a: NumberDecimal('-Infinity') }",
        };

        var ascending = SortSpecificationTests.SortedIds("{ a: 1 }", documents);
        var descending = SortSpecificationTests.SortedIds("{ a: -1 }", documents);

        // The two NaNs are equal (they keep their input order), then -Infinity of both types, also equal.
        Assert.Equal([4, 2, 5, 3, 7, 6, 1], ascending);
        Assert.Equal([1, 6, 3, 7, 2, 5, 4], descending);
    }

    [Fact]
    public void BSON_order_makes_NaN_equal_to_itself_and_smaller_than_negative_infinity()
    {
        var nan = new BsonDouble(double.NaN);
        var decimalNaN = new BsonDecimal128(Decimal128.QNaN);

        Assert.Equal(0, BsonOrder.Instance.Compare(nan, new BsonDouble(double.NaN)));
        Assert.Equal(0, BsonOrder.Instance.Compare(nan, decimalNaN));
        Assert.Equal(-1, BsonOrder.Instance.Compare(nan, new BsonDouble(double.NegativeInfinity)));
        Assert.Equal(-1, BsonOrder.Instance.Compare(decimalNaN, new BsonInt64(long.MinValue)));
        Assert.Equal(1, BsonOrder.Instance.Compare(new BsonInt32(0), decimalNaN));
        Assert.Equal(1, BsonOrder.Instance.Compare(nan, BsonNull.Value));
        // Equal values hash alike: a hash set or a unique index key holding NaN finds it again.
        Assert.Equal(BsonOrder.Instance.GetHashCode(nan), BsonOrder.Instance.GetHashCode(decimalNaN));
        Assert.Equal(
            BsonOrder.Instance.GetHashCode(new BsonDocument("a", nan)),
            BsonOrder.Instance.GetHashCode(new BsonDocument("a", BitConverter.Int64BitsToDouble(0x7FF8000000000001))));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/update/set/,
    // https://www.mongodb.com/docs/manual/reference/operator/update/inc/, .../mul/, .../max/, .../min/
    [Theory]
    [InlineData("{ a: NaN }", "{ $set: { a: NaN } }", "{ a: NaN }", false)]
    [InlineData("{ a: 5 }", "{ $set: { a: NaN } }", "{ a: NaN }", true)]
    [InlineData("{ a: NaN }", "{ $set: { a: 5 } }", "{ a: 5 }", true)]
    [InlineData("{ a: NaN, b: 1 }", "{ $set: { b: 2 } }", "{ a: NaN, b: 2 }", true)]
    // SafeNum::isIdentical compares doubles with ==, so NaN + 1 is not identical to NaN: a modification.
    [InlineData("{ a: NaN }", "{ $inc: { a: 1 } }", "{ a: NaN }", true)]
    [InlineData("{ a: NumberDecimal('NaN') }", "{ $inc: { a: 1 } }", "{ a: NumberDecimal('NaN') }", true)]
    [InlineData("{ a: NumberDecimal('1') }", "{ $inc: { a: NaN } }", "{ a: NumberDecimal('NaN') }", true)]
    [InlineData("{ a: 5 }", "{ $inc: { a: NaN } }", "{ a: NaN }", true)]
    [InlineData("{ a: NumberInt(2) }", "{ $mul: { a: NaN } }", "{ a: NaN }", true)]
    [InlineData("{ a: NaN }", "{ $mul: { a: 0 } }", "{ a: NaN }", true)]
    [InlineData("{ a: Infinity }", "{ $mul: { a: 0 } }", "{ a: NaN }", true)]
    [InlineData("{ a: NaN }", "{ $max: { a: -Infinity } }", "{ a: -Infinity }", true)]
    [InlineData("{ a: NaN }", "{ $min: { a: -Infinity } }", "{ a: NaN }", false)]
    [InlineData("{ a: 5 }", "{ $min: { a: NaN } }", "{ a: NaN }", true)]
    [InlineData("{ a: 5 }", "{ $max: { a: NaN } }", "{ a: 5 }", false)]
    [InlineData("{ a: NaN }", "{ $max: { a: NaN } }", "{ a: NaN }", false)]
    [InlineData("{ a: NaN }", "{ $min: { a: NumberDecimal('NaN') } }", "{ a: NaN }", false)]
    [InlineData("{ a: [NaN] }", "{ $addToSet: { a: NaN } }", "{ a: [NaN] }", false)]
    [InlineData("{ a: [1, NaN, 2] }", "{ $pull: { a: NaN } }", "{ a: [1, 2] }", true)]
    [InlineData("{ a: [1, NaN, 2] }", "{ $pull: { a: { $lt: 2 } } }", "{ a: [NaN, 2] }", true)]
    public void Update_operators_handle_NaN_as_MongoDB_does(string document, string update, string expected, bool changed)
    {
        var (result, wasChanged) = UpdateTestHelper.Apply(document, update);

        UpdateTestHelper.AssertDocument(expected, result);
        Assert.Equal(changed, wasChanged);
    }

    [Fact]
    public void An_update_of_another_field_keeps_the_bits_of_a_stored_NaN()
    {
        var payloadNaN = BitConverter.Int64BitsToDouble(0x7FF8000000000123);
        var document = new BsonDocument("a", payloadNaN);
        var specification = UpdateSpecification.Parse(BsonDocument.Parse("{ $set: { b: 1 } }"), arrayFilters: null);

        specification.Apply(document, new UpdateContext { Expressions = new ExpressionContext(UpdateTestHelper.Now) });

        Assert.Equal(0x7FF8000000000123, BitConverter.DoubleToInt64Bits(document["a"].AsDouble));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/#comparison-expression-operators: aggregation
    // comparisons use the BSON comparison order (compareDoubles), not the query language's NaN rule.
    [Theory]
    [InlineData("true", "{ $eq: [NaN, NaN] }")]
    [InlineData("true", "{ $eq: [NaN, NumberDecimal('NaN')] }")]
    [InlineData("false", "{ $ne: [NaN, NaN] }")]
    [InlineData("true", "{ $gt: [-Infinity, NaN] }")]
    [InlineData("true", "{ $lt: [NaN, NumberLong(-9223372036854775807)] }")]
    [InlineData("true", "{ $gte: [NaN, NaN] }")]
    [InlineData("NumberInt(-1)", "{ $cmp: [NaN, -Infinity] }")]
    [InlineData("NumberInt(0)", "{ $cmp: [NaN, NaN] }")]
    [InlineData("NumberInt(1)", "{ $cmp: [0, NaN] }")]
    [InlineData("NumberInt(1)", "{ $max: [NaN, 1] }")]
    [InlineData("NaN", "{ $min: [NaN, 1] }")]
    [InlineData("NaN", "{ $min: [[3, NaN, null]] }")]
    [InlineData("NaN", "{ $add: [NaN, 1] }")]
    [InlineData("NaN", "{ $subtract: [Infinity, Infinity] }")]
    [InlineData("NaN", "{ $multiply: [Infinity, 0] }")]
    [InlineData("NaN", "{ $divide: [NaN, 2] }")]
    [InlineData("NaN", "{ $abs: NaN }")]
    [InlineData("NaN", "{ $sum: [1, NaN, 2] }")]
    [InlineData("NaN", "{ $avg: [1, NaN] }")]
    [InlineData("NumberDecimal('NaN')", "{ $add: [NumberDecimal('1'), NaN] }")]
    [InlineData("NumberDecimal('NaN')", "{ $multiply: [NumberDecimal('2'), NumberDecimal('NaN')] }")]
    [InlineData("NumberDecimal('Infinity')", "{ $add: [NumberDecimal('1'), Infinity] }")]
    [InlineData("NumberDecimal('NaN')", "{ $sum: [NumberDecimal('1'), NaN] }")]
    [InlineData("NumberDecimal('NaN')", "{ $avg: [NumberDecimal('1'), NaN] }")]
    [InlineData("true", "{ $in: [NaN, [1, NaN]] }")]
    [InlineData("NumberInt(1)", "{ $indexOfArray: [[1, NaN], NaN] }")]
    [InlineData("[NaN]", "{ $setUnion: [[NaN, NaN], [NumberDecimal('NaN')]] }")]
    [InlineData("NaN", "{ $round: NaN }")]
    [InlineData("NaN", "{ $floor: NaN }")]
    public void Expressions_treat_NaN_as_MongoDB_does(string expected, string expression) =>
        ExpressionAssert.Evaluates(expected, expression);

    [Fact]
    public void Group_accumulators_keep_NaN_and_group_every_NaN_together()
    {
        var result = PipelineRunner.Run(
            "[{ $group: { _id: '$k', sum: { $sum: '$v' }, avg: { $avg: '$v' }, min: { $min: '$v' }, max: { $max: '$v' }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }]",
            "{ k: NaN, v: 1 }",
            "{ k: NumberDecimal('NaN'), v: NaN }",
            "{ k: 1, v: 2 }");

        PipelineRunner.Produces(
            [
                "{ _id: NaN, sum: NaN, avg: NaN, min: NaN, max: 1, n: NumberInt(2) }",
                "{ _id: 1, sum: 2, avg: 2.0, min: 2, max: 2, n: NumberInt(1) }",
            ],
            result);
    }

    [Fact]
    public void An_update_description_lists_no_field_whose_NaN_stayed_NaN()
    {
        var before = BsonDocument.Parse("{ _id: 1, a: NaN, b: { c: NaN, d: [NaN, 1] }, e: NumberDecimal('NaN'), f: 1 }");
        var after = BsonDocument.Parse("{ _id: 1, a: NaN, b: { c: NaN, d: [NaN, 1] }, e: NumberDecimal('NaN'), f: 2 }");

        var description = UpdateDescriptionBuilder.Build(before, after);

        Assert.Equal(BsonDocument.Parse("{ f: 2 }"), description["updatedFields"].AsBsonDocument);
        Assert.Empty(description["removedFields"].AsBsonArray);
        Assert.Empty(description["truncatedArrays"].AsBsonArray);
    }

    [Fact]
    public void An_inc_of_NaN_reports_the_path_it_rewrote_and_the_description_lists_it()
    {
        var document = BsonDocument.Parse("{ _id: 1, a: { b: NaN }, c: 1 }");
        var before = document.DeepClone().AsBsonDocument;
        var context = new UpdateContext { Expressions = new ExpressionContext(UpdateTestHelper.Now) };

        var changed = UpdateSpecification.Parse(BsonDocument.Parse("{ $inc: { 'a.b': 1, c: 0 } }"), arrayFilters: null).Apply(document, context);
        var description = UpdateDescriptionBuilder.Build(before, document, context.RewrittenPaths);

        Assert.True(changed);
        Assert.Equal(["a.b"], context.RewrittenPaths);
        Assert.Equal(["a.b"], description["updatedFields"].AsBsonDocument.Names);
    }

    [Fact]
    public void An_update_description_lists_a_number_that_became_NaN_and_a_NaN_that_became_a_number()
    {
        var before = BsonDocument.Parse("{ _id: 1, a: 1, b: NaN, c: [NaN] }");
        var after = BsonDocument.Parse("{ _id: 1, a: NaN, b: 2, c: [0] }");

        var description = UpdateDescriptionBuilder.Build(before, after);

        var updated = description["updatedFields"].AsBsonDocument;
        Assert.Equal(["a", "b", "c.0"], updated.Names);
        Assert.True(double.IsNaN(updated["a"].AsDouble));
        Assert.Equal(2, updated["b"].AsInt32);
    }
}
