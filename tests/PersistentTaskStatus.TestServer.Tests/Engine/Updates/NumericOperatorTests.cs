using PersistentTaskStatus.TestServer.Engine;
using static PersistentTaskStatus.TestServer.Tests.Engine.Updates.UpdateTestHelper;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Updates;

// https://www.mongodb.com/docs/manual/reference/operator/update/inc/
// https://www.mongodb.com/docs/manual/reference/operator/update/mul/
// https://www.mongodb.com/docs/manual/reference/operator/update/min/
// https://www.mongodb.com/docs/manual/reference/operator/update/max/
public sealed class NumericOperatorTests
{
    [Fact]
    public void Inc_adds_to_top_level_and_embedded_fields()
    {
        var (doc, changed) = Apply(
            "{ _id: 1, sku: 'abc123', quantity: 10, metrics: { orders: 2, ratings: 3.5 } }",
            """{ $inc: { quantity: -2, "metrics.orders": 1 } }""");

        Assert.True(changed);
        AssertDocument("{ _id: 1, sku: 'abc123', quantity: 8, metrics: { orders: 3, ratings: 3.5 } }", doc);
    }

    [Fact]
    public void Inc_of_an_int32_by_an_int32_stays_int32()
    {
        var (doc, _) = Apply("{ _id: 1, a: 5 }", "{ $inc: { a: 2 } }");

        Assert.Equal(new BsonInt32(7), doc["a"]);
    }

    [Fact]
    public void Inc_of_an_int32_that_overflows_becomes_int64()
    {
        var (doc, _) = Apply("{ _id: 1, a: 2147483647 }", "{ $inc: { a: 1 } }");

        Assert.Equal(new BsonInt64(2147483648), doc["a"]);
    }

    [Fact]
    public void Inc_that_overflows_an_int64_fails()
    {
        var error = Fails("{ _id: 1, a: NumberLong('9223372036854775807') }", "{ $inc: { a: 1 } }");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
        Assert.Equal("Failed to apply $inc operations to current value ((NumberLong)9223372036854775807) for document {_id: 1}", error.Message);
    }

    [Fact]
    public void Inc_by_a_double_gives_a_double()
    {
        var (doc, _) = Apply("{ _id: 1, a: 1 }", "{ $inc: { a: 0.5 } }");

        Assert.Equal(new BsonDouble(1.5), doc["a"]);
    }

    [Fact]
    public void Inc_of_an_int64_by_an_int32_stays_int64()
    {
        var (doc, _) = Apply("{ _id: 1, a: NumberLong(5) }", "{ $inc: { a: 1 } }");

        Assert.Equal(new BsonInt64(6), doc["a"]);
    }

    [Fact]
    public void Inc_with_a_decimal_gives_a_decimal()
    {
        var (doc, _) = Apply("{ _id: 1, a: 1 }", "{ $inc: { a: NumberDecimal('0.25') } }");

        Assert.Equal(BsonType.Decimal128, doc["a"].BsonType);
        Assert.Equal(1.25m, Decimal128.ToDecimal(doc["a"].AsDecimal128));
    }

    // "If the field does not exist, $inc creates the field and sets the field to the specified value."
    [Fact]
    public void Inc_of_a_missing_field_sets_the_operand()
    {
        var (doc, _) = Apply("{ _id: 1 }", "{ $inc: { a: NumberLong(3) } }");

        Assert.Equal(new BsonInt64(3), doc["a"]);
    }

    [Fact]
    public void Inc_by_zero_is_not_a_change()
    {
        var (_, changed) = Apply("{ _id: 1, a: 3 }", "{ $inc: { a: 0 } }");

        Assert.False(changed);
    }

    [Fact]
    public void Inc_with_a_non_numeric_argument_fails_to_parse()
    {
        var error = FailsToParse("{ $inc: { a: 'x' } }");

        Assert.Equal((int)ErrorCode.TypeMismatch, error.Code);
        Assert.Equal("Cannot increment with non-numeric argument: {a: \"x\"}", error.Message);
    }

    [Fact]
    public void Inc_of_a_non_numeric_field_fails()
    {
        var error = Fails("{ _id: 1, a: 'x' }", "{ $inc: { a: 1 } }");

        Assert.Equal((int)ErrorCode.TypeMismatch, error.Code);
        Assert.Equal("Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'a' of non-numeric type string", error.Message);
    }

    [Fact]
    public void Mul_multiplies_decimals_and_integers()
    {
        var (doc, _) = Apply(
            "{ _id: 1, item: 'Hats', price: NumberDecimal('10.99'), quantity: 25 }",
            "{ $mul: { price: NumberDecimal('1.25'), quantity: 2 } }");

        Assert.Equal(13.7375m, Decimal128.ToDecimal(doc["price"].AsDecimal128));
        Assert.Equal(new BsonInt32(50), doc["quantity"]);
    }

    // "If the field does not exist in a document, $mul creates the field and sets the value to zero of the same
    // numeric type as the multiplier."
    [Fact]
    public void Mul_of_a_missing_field_sets_zero_of_the_operand_type()
    {
        var (doc, _) = Apply("{ _id: 2, item: 'Unknown' }", "{ $mul: { price: NumberLong(100) } }");

        AssertDocument("{ _id: 2, item: 'Unknown', price: NumberLong(0) }", doc);
    }

    [Fact]
    public void Mul_of_mixed_numeric_types_follows_type_conversion()
    {
        var (doc, _) = Apply("{ _id: 3, item: 'Scarf', price: NumberLong(10) }", "{ $mul: { price: NumberInt(5) } }");

        Assert.Equal(new BsonInt64(50), doc["price"]);
    }

    [Fact]
    public void Mul_with_a_non_numeric_argument_fails_to_parse()
    {
        var error = FailsToParse("{ $mul: { a: 'x' } }");

        Assert.Equal((int)ErrorCode.TypeMismatch, error.Code);
        Assert.Equal("Cannot multiply with non-numeric argument: {a: \"x\"}", error.Message);
    }

    [Fact]
    public void Min_replaces_a_greater_value()
    {
        var (doc, changed) = Apply("{ _id: 1, highScore: 800, lowScore: 200 }", "{ $min: { lowScore: 150 } }");

        Assert.True(changed);
        Assert.Equal(150, doc["lowScore"].AsInt32);
    }

    [Fact]
    public void Min_keeps_a_smaller_value()
    {
        var (doc, changed) = Apply("{ _id: 1, highScore: 800, lowScore: 150 }", "{ $min: { lowScore: 250 } }");

        Assert.False(changed);
        Assert.Equal(150, doc["lowScore"].AsInt32);
    }

    [Fact]
    public void Min_compares_dates()
    {
        var (doc, _) = Apply(
            "{ _id: 1, desc: 'crafts', dateEntered: ISODate('2013-10-01T05:00:00Z'), dateExpired: ISODate('2013-10-01T16:38:16Z') }",
            "{ $min: { dateEntered: new Date('2013-09-25') } }");

        Assert.Equal(new BsonDateTime(new DateTime(2013, 9, 25, 0, 0, 0, DateTimeKind.Utc)), doc["dateEntered"]);
    }

    [Fact]
    public void Max_replaces_a_smaller_value_and_keeps_a_greater_one()
    {
        var (raised, raisedChanged) = Apply("{ _id: 1, highScore: 800, lowScore: 200 }", "{ $max: { highScore: 950 } }");
        var (kept, keptChanged) = Apply("{ _id: 1, highScore: 950, lowScore: 200 }", "{ $max: { highScore: 870 } }");

        Assert.True(raisedChanged);
        Assert.Equal(950, raised["highScore"].AsInt32);
        Assert.False(keptChanged);
        Assert.Equal(950, kept["highScore"].AsInt32);
    }

    // "If the field does not exist, the $max operator sets the field to the specified value."
    [Fact]
    public void Max_of_a_missing_field_sets_it()
    {
        var (doc, _) = Apply("{ _id: 1 }", "{ $max: { a: 5 } }");

        Assert.Equal(5, doc["a"].AsInt32);
    }

    // $min/$max compare across types in BSON order (Comparison/Sort Order): a string is greater than any number.
    [Fact]
    public void Max_compares_values_of_different_types_in_bson_order()
    {
        var (doc, _) = Apply("{ _id: 1, a: 5 }", "{ $max: { a: 'x' } }");

        Assert.Equal("x", doc["a"].AsString);
    }
}
