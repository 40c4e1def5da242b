using static PersistentTaskStatus.TestServer.Tests.Engine.Aggregation.PipelineRunner;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Aggregation;

// Each test names the manual page of its stage, under https://www.mongodb.com/docs/manual/reference/operator/aggregation/
public sealed class StageTests
{
    // addFields/: "Adding Fields to an Embedded Document" and "Overwriting an existing field".
    [Fact]
    public void AddFields_adds_computed_fields_at_the_end() =>
        Produces(
            ["{ _id: 1, homework: [10, 5, 10], quiz: [10, 8], totalHomework: 25, totalQuiz: 18 }"],
            Run("[ { $addFields: { totalHomework: { $sum: '$homework' }, totalQuiz: { $sum: '$quiz' } } } ]", "{ _id: 1, homework: [10, 5, 10], quiz: [10, 8] }"));

    [Fact]
    public void AddFields_with_a_dotted_path_merges_into_the_embedded_document() =>
        Produces(
            ["{ _id: 1, type: 'car', specs: { doors: 4, wheels: 4, fuel_type: 'unleaded' } }"],
            Run("[ { $addFields: { 'specs.fuel_type': 'unleaded' } } ]", "{ _id: 1, type: 'car', specs: { doors: 4, wheels: 4 } }"));

    [Fact]
    public void AddFields_with_an_embedded_document_merges_rather_than_replaces() =>
        Produces(
            ["{ _id: 1, specs: { doors: 4, fuel_type: 'unleaded' } }"],
            Run("[ { $set: { specs: { fuel_type: 'unleaded' } } } ]", "{ _id: 1, specs: { doors: 4 } }"));

    [Fact]
    public void AddFields_overwrites_an_existing_field_in_place() =>
        Produces(["{ _id: 1, cats: 20, dogs: 10 }"], Run("[ { $addFields: { cats: 20 } } ]", "{ _id: 1, cats: 5, dogs: 10 }"));

    [Fact]
    public void AddFields_through_an_array_adds_to_each_element() =>
        Produces(
            ["{ a: [ { x: 1, y: 5 }, { y: 5 } ] }"],
            Run("[ { $addFields: { 'a.y': 5 } } ]", "{ a: [ { x: 1 }, 2 ] }"));

    [Fact]
    public void AddFields_with_a_missing_value_removes_the_field() =>
        Produces(["{ _id: 1 }"], Run("[ { $set: { a: '$$REMOVE', b: '$nope' } } ]", "{ _id: 1, a: 1 }"));

    [Fact]
    public void AddFields_sees_the_input_document_not_earlier_fields_of_the_stage() =>
        Produces(["{ a: 5, b: 2 }"], Run("[ { $set: { a: 5, b: { $add: ['$a', 1] } } } ]", "{ a: 1 }"));

    [Fact]
    public void AddFields_over_a_scalar_replaces_it_with_a_document() =>
        Produces(["{ a: { b: 1 } }"], Run("[ { $set: { 'a.b': 1 } } ]", "{ a: 7 }"));

    // unset/: string and array forms, embedded fields.
    [Fact]
    public void Unset_removes_top_level_and_embedded_fields() =>
        Produces(
            ["{ _id: 1, title: 'Antelope Antics', author: { first: 'Bob' } }"],
            Run("[ { $unset: ['isbn', 'author.last', 'copies.warehouse'] } ]", "{ _id: 1, title: 'Antelope Antics', isbn: '0001122223334', author: { last: 'An', first: 'Bob' } }"));

    [Fact]
    public void Unset_through_an_array_removes_from_each_document() =>
        Produces(["{ copies: [ { qty: 5 }, { qty: 2 } ] }"], Run("[ { $unset: 'copies.warehouse' } ]", "{ copies: [ { warehouse: 'A', qty: 5 }, { warehouse: 'B', qty: 2 } ] }"));

    [Fact]
    public void Unset_of_an_empty_array_is_rejected() => Fails(31119, () => Run("[ { $unset: [] } ]"));

    // skip/, limit/, count/
    [Fact]
    public void Skip_and_limit_page_through_documents() =>
        Produces(["{ n: 2 }", "{ n: 3 }"], Run("[ { $skip: 1 }, { $limit: 2 } ]", "{ n: 1 }", "{ n: 2 }", "{ n: 3 }", "{ n: 4 }"));

    [Fact]
    public void Limit_of_zero_is_rejected() => Fails(15958, () => Run("[ { $limit: 0 } ]"));

    [Fact]
    public void Count_counts_into_an_int32_field() =>
        Produces(["{ passing_scores: NumberInt(2) }"], Run("[ { $count: 'passing_scores' } ]", "{ s: 1 }", "{ s: 2 }"));

    [Fact]
    public void Count_of_nothing_outputs_nothing() => Assert.Empty(Run("[ { $count: 'n' } ]"));

    [Fact]
    public void Count_field_may_not_start_with_a_dollar() => Fails(40158, () => Run("[ { $count: '$n' } ]"));

    // replaceRoot/ and replaceWith/
    [Fact]
    public void ReplaceRoot_promotes_an_embedded_document() =>
        Produces(
            ["{ dogs: 2, cats: 1 }"],
            Run("[ { $replaceRoot: { newRoot: '$pets' } } ]", "{ _id: 1, name: 'Susan', pets: { dogs: 2, cats: 1 } }"));

    [Fact]
    public void ReplaceWith_can_merge_defaults() =>
        Produces(
            ["{ dogs: 0, cats: 1, birds: 0, fish: 0 }"],
            Run("[ { $replaceWith: { $mergeObjects: [ { dogs: 0, cats: 0, birds: 0, fish: 0 }, '$pets' ] } } ]", "{ _id: 1, pets: { cats: 1 } }"));

    [Fact]
    public void ReplaceRoot_with_a_non_document_is_error_40228()
    {
        var error = Fails(40228, () => Run("[ { $replaceRoot: { newRoot: '$name' } } ]", "{ _id: 1 }"));
        Assert.StartsWith("'newRoot' expression must evaluate to an object", error.Message, StringComparison.Ordinal);
    }

    // unwind/: the manual's inventory examples.
    [Fact]
    public void Unwind_outputs_one_document_per_element() =>
        Produces(
            ["{ _id: 1, item: 'ABC1', sizes: 'S' }", "{ _id: 1, item: 'ABC1', sizes: 'M' }", "{ _id: 1, item: 'ABC1', sizes: 'L' }"],
            Run("[ { $unwind: '$sizes' } ]", "{ _id: 1, item: 'ABC1', sizes: ['S', 'M', 'L'] }"));

    private static readonly string[] Inventory =
    [
        "{ _id: 1, item: 'Shirt', sizes: ['S', 'M'] }",
        "{ _id: 2, item: 'Shorts', sizes: [] }",
        "{ _id: 3, item: 'Hat', sizes: 'M' }",
        "{ _id: 4, item: 'Gloves' }",
        "{ _id: 5, item: 'Scarf', sizes: null }",
    ];

    [Fact]
    public void Unwind_drops_null_missing_and_empty_and_treats_a_scalar_as_one_element() =>
        Produces(
            ["{ _id: 1, item: 'Shirt', sizes: 'S' }", "{ _id: 1, item: 'Shirt', sizes: 'M' }", "{ _id: 3, item: 'Hat', sizes: 'M' }"],
            Run("[ { $unwind: { path: '$sizes' } } ]", Inventory));

    [Fact]
    public void Unwind_with_preserve_and_index_keeps_every_document() =>
        Produces(
            [
                "{ _id: 1, item: 'Shirt', sizes: 'S', arrayIndex: NumberLong(0) }",
                "{ _id: 1, item: 'Shirt', sizes: 'M', arrayIndex: NumberLong(1) }",
                "{ _id: 2, item: 'Shorts', arrayIndex: null }",
                "{ _id: 3, item: 'Hat', sizes: 'M', arrayIndex: null }",
                "{ _id: 4, item: 'Gloves', arrayIndex: null }",
                "{ _id: 5, item: 'Scarf', sizes: null, arrayIndex: null }",
            ],
            Run("[ { $unwind: { path: '$sizes', includeArrayIndex: 'arrayIndex', preserveNullAndEmptyArrays: true } } ]", Inventory));

    [Fact]
    public void Unwind_path_must_start_with_a_dollar() => Fails(28818, () => Run("[ { $unwind: 'sizes' } ]"));

    // group/: the manual's sales examples.
    private static readonly string[] Sales =
    [
        "{ _id: 1, item: 'abc', price: NumberDecimal('10'), quantity: NumberInt(2), date: ISODate('2014-03-01T08:00:00Z') }",
        "{ _id: 2, item: 'jkl', price: NumberDecimal('20'), quantity: NumberInt(1), date: ISODate('2014-03-01T09:00:00Z') }",
        "{ _id: 3, item: 'xyz', price: NumberDecimal('5'), quantity: NumberInt(10), date: ISODate('2014-03-15T09:00:00Z') }",
        "{ _id: 4, item: 'xyz', price: NumberDecimal('5'), quantity: NumberInt(20), date: ISODate('2014-04-04T11:21:39.736Z') }",
        "{ _id: 5, item: 'abc', price: NumberDecimal('10'), quantity: NumberInt(10), date: ISODate('2014-04-04T21:23:13.331Z') }",
    ];

    [Fact]
    public void Group_by_null_counts_and_sums_everything() =>
        Produces(
            ["{ _id: null, count: NumberInt(5), totalQuantity: NumberInt(43), averageQuantity: 8.6 }"],
            Run("[ { $group: { _id: null, count: { $count: {} }, totalQuantity: { $sum: '$quantity' }, averageQuantity: { $avg: '$quantity' } } } ]", Sales));

    [Fact]
    public void Group_by_a_field_in_first_seen_order_with_decimal_sums() =>
        Produces(
            [
                "{ _id: 'abc', totalSaleAmount: NumberDecimal('120'), items: [1, 5], firstQty: NumberInt(2), lastQty: NumberInt(10) }",
                "{ _id: 'jkl', totalSaleAmount: NumberDecimal('20'), items: [2], firstQty: NumberInt(1), lastQty: NumberInt(1) }",
                "{ _id: 'xyz', totalSaleAmount: NumberDecimal('150'), items: [3, 4], firstQty: NumberInt(10), lastQty: NumberInt(20) }",
            ],
            Run("[ { $group: { _id: '$item', totalSaleAmount: { $sum: { $multiply: ['$price', '$quantity'] } }, items: { $push: '$_id' }, firstQty: { $first: '$quantity' }, lastQty: { $last: '$quantity' } } } ]", Sales));

    [Fact]
    public void Group_by_a_document_key_with_min_max_and_addToSet() =>
        Produces(
            [
                "{ _id: { day: 1 }, minQty: NumberInt(1), maxQty: NumberInt(2), itemSet: ['abc', 'jkl'] }",
                "{ _id: { day: 15 }, minQty: NumberInt(10), maxQty: NumberInt(10), itemSet: ['xyz'] }",
                "{ _id: { day: 4 }, minQty: NumberInt(10), maxQty: NumberInt(20), itemSet: ['xyz', 'abc'] }",
            ],
            Run("[ { $set: { day: { $toInt: { $substrCP: [ { $toString: '$date' }, 8, 2 ] } } } }, { $group: { _id: { day: '$day' }, minQty: { $min: '$quantity' }, maxQty: { $max: '$quantity' }, itemSet: { $addToSet: '$item' } } } ]", Sales));

    [Fact]
    public void Group_treats_a_missing_key_as_null_and_numbers_of_any_type_alike() =>
        Produces(
            ["{ _id: null, n: NumberInt(2) }", "{ _id: 1, n: NumberInt(2) }"],
            Run("[ { $group: { _id: '$k', n: { $sum: 1 } } } ]", "{ }", "{ k: null }", "{ k: 1 }", "{ k: 1.0 }"));

    [Fact]
    public void Group_first_of_a_missing_value_is_null_and_push_skips_missing() =>
        Produces(
            ["{ _id: null, f: null, p: [2] }"],
            Run("[ { $group: { _id: null, f: { $first: '$a' }, p: { $push: '$a' } } } ]", "{ }", "{ a: 2 }"));

    [Fact]
    public void Group_without_an_id_is_rejected() => Fails(15955, () => Run("[ { $group: { n: { $sum: 1 } } } ]"));

    [Fact]
    public void Group_with_an_unknown_accumulator_is_rejected() => Fails(15952, () => Run("[ { $group: { _id: null, n: { $foo: 1 } } } ]"));

    [Fact]
    public void Group_accumulators_take_one_argument() => Fails(40237, () => Run("[ { $group: { _id: null, n: { $sum: [1, 2] } } } ]"));
}
