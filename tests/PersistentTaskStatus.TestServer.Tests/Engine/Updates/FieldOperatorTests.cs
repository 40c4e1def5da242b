using PersistentTaskStatus.TestServer.Engine;
using static PersistentTaskStatus.TestServer.Tests.Engine.Updates.UpdateTestHelper;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Updates;

// https://www.mongodb.com/docs/manual/reference/operator/update/set/
// https://www.mongodb.com/docs/manual/reference/operator/update/unset/
// https://www.mongodb.com/docs/manual/reference/operator/update/setOnInsert/
// https://www.mongodb.com/docs/manual/reference/operator/update/currentDate/
// https://www.mongodb.com/docs/manual/reference/operator/update/rename/
public sealed class FieldOperatorTests
{
    private const string Product = """
        { _id: 100, quantity: 250, instock: true, reorder: false,
          details: { model: "14QQ", make: "Clothes Corp" }, tags: [ "apparel", "clothing" ],
          ratings: [ { by: "Customer007", rating: 4 } ] }
        """;

    [Fact]
    public void Set_replaces_top_level_fields_in_place()
    {
        var (doc, changed) = Apply(Product, """
            { $set: { quantity: 500, details: { model: "2600", make: "Fashionaires" }, tags: [ "coats", "outerwear", "clothing" ] } }
            """);

        Assert.True(changed);
        AssertDocument("""
            { _id: 100, quantity: 500, instock: true, reorder: false,
              details: { model: "2600", make: "Fashionaires" }, tags: [ "coats", "outerwear", "clothing" ],
              ratings: [ { by: "Customer007", rating: 4 } ] }
            """, doc);
    }

    [Fact]
    public void Set_of_a_dotted_path_updates_an_embedded_field()
    {
        var (doc, _) = Apply(Product, """{ $set: { "details.make": "Kustom Kidz" } }""");

        Assert.Equal("Kustom Kidz", doc["details"]["make"].AsString);
        Assert.Equal("14QQ", doc["details"]["model"].AsString);
    }

    [Fact]
    public void Set_with_numeric_components_addresses_array_elements()
    {
        var (doc, _) = Apply(Product, """{ $set: { "tags.1": "rain gear", "ratings.0.rating": 2 } }""");

        Assert.Equal(new BsonArray { "apparel", "rain gear" }, doc["tags"].AsBsonArray);
        Assert.Equal(2, doc["ratings"][0]["rating"].AsInt32);
    }

    [Fact]
    public void Set_of_a_missing_dotted_path_creates_embedded_documents()
    {
        var (doc, changed) = Apply("{ _id: 1 }", """{ $set: { "a.b.c": 1 } }""");

        Assert.True(changed);
        AssertDocument("{ _id: 1, a: { b: { c: 1 } } }", doc);
    }

    // "update operators process document fields with string-based names in lexicographic order"
    // (https://www.mongodb.com/docs/manual/reference/operator/update/#behavior): new fields are appended in that order.
    [Fact]
    public void Set_appends_several_new_fields_in_lexicographic_order()
    {
        var (doc, _) = Apply("{ _id: 1, m: 0 }", "{ $set: { z: 1, b: 2, a: { y: 1 }, c: 3 } }");

        AssertDocument("{ _id: 1, m: 0, a: { y: 1 }, b: 2, c: 3, z: 1 }", doc);
    }

    [Fact]
    public void Set_processes_numeric_names_in_numeric_order()
    {
        var (doc, _) = Apply("{ _id: 1, a: { } }", """{ $set: { "a.10": 1, "a.2": 2 } }""");

        AssertDocument("{ _id: 1, a: { '2': 2, '10': 1 } }", doc);
    }

    [Fact]
    public void Set_two_new_fields_of_one_new_embedded_document()
    {
        var (doc, _) = Apply("{ _id: 1 }", """{ $set: { "a.c": 2, "a.b": 1 } }""");

        AssertDocument("{ _id: 1, a: { b: 1, c: 2 } }", doc);
    }

    [Fact]
    public void Set_past_the_end_of_an_array_pads_with_nulls()
    {
        var (doc, _) = Apply("{ _id: 1, a: [ 1 ] }", """{ $set: { "a.3": 2 } }""");

        AssertDocument("{ _id: 1, a: [ 1, null, null, 2 ] }", doc);
    }

    [Fact]
    public void A_numeric_component_on_a_document_is_a_field_name()
    {
        var (doc, _) = Apply("{ _id: 1 }", """{ $set: { "a.0.b": 1 } }""");

        AssertDocument("{ _id: 1, a: { '0': { b: 1 } } }", doc);
    }

    [Fact]
    public void Set_inside_a_scalar_is_a_path_not_viable()
    {
        var error = Fails("{ _id: 1, a: 1 }", """{ $set: { "a.b": 1 } }""");

        Assert.Equal((int)ErrorCode.PathNotViable, error.Code);
        Assert.Equal("Cannot create field 'b' in element {a: 1}", error.Message);
    }

    [Fact]
    public void Set_of_a_field_name_inside_an_array_is_a_path_not_viable()
    {
        var error = Fails("{ _id: 1, a: [ 1, 2 ] }", """{ $set: { "a.b": 1 } }""");

        Assert.Equal((int)ErrorCode.PathNotViable, error.Code);
        Assert.Equal("Cannot create field 'b' in element {a: [ 1, 2 ]}", error.Message);
    }

    [Fact]
    public void Set_to_the_same_value_is_not_a_change()
    {
        var (doc, changed) = Apply("{ _id: 1, a: 1, b: { c: 'x' } }", "{ $set: { a: 1, b: { c: 'x' } } }");

        Assert.False(changed);
        AssertDocument("{ _id: 1, a: 1, b: { c: 'x' } }", doc);
    }

    [Fact]
    public void Set_to_an_equal_number_of_another_type_is_a_change()
    {
        var (doc, changed) = Apply("{ _id: 1, a: 1 }", "{ $set: { a: 1.0 } }");

        Assert.True(changed);
        Assert.Equal(BsonType.Double, doc["a"].BsonType);
    }

    // Starting in MongoDB 5.0, $set accepts an empty operand: https://www.mongodb.com/docs/manual/reference/operator/update/set/#behavior
    [Fact]
    public void An_empty_operator_document_is_allowed_and_changes_nothing()
    {
        var (doc, changed) = Apply("{ _id: 1, a: 1 }", "{ $set: { } }");

        Assert.False(changed);
        AssertDocument("{ _id: 1, a: 1 }", doc);
    }

    // https://www.mongodb.com/docs/manual/core/dot-dollar-considerations/ (5.0+ allows $-prefixed names in values)
    [Fact]
    public void Set_may_store_dollar_prefixed_names_inside_an_embedded_document()
    {
        var (doc, _) = Apply("{ _id: 1 }", "{ $set: { a: { $x: 1 } } }");

        Assert.Equal(1, doc["a"]["$x"].AsInt32);
    }

    [Fact]
    public void Unset_removes_fields()
    {
        var (doc, changed) = Apply("{ _id: 1, sku: 'unknown', quantity: 2, instock: true }", "{ $unset: { quantity: '', instock: '' } }");

        Assert.True(changed);
        AssertDocument("{ _id: 1, sku: 'unknown' }", doc);
    }

    [Fact]
    public void Unset_of_a_missing_field_is_not_a_change()
    {
        var (_, changed) = Apply("{ _id: 1, a: 1 }", """{ $unset: { b: '', "a.c": '' } }""");

        Assert.False(changed);
    }

    // "$unset ... sets the array element to null rather than removing it" (Behavior section).
    [Fact]
    public void Unset_of_an_array_element_sets_it_to_null()
    {
        var (doc, _) = Apply("{ _id: 1, a: [ 1, 2, 3 ] }", """{ $unset: { "a.1": '' } }""");

        AssertDocument("{ _id: 1, a: [ 1, null, 3 ] }", doc);
    }

    [Fact]
    public void SetOnInsert_applies_only_when_an_upsert_inserts()
    {
        const string update = "{ $set: { item: 'apple' }, $setOnInsert: { defaultQty: 100 } }";

        var (inserted, _) = Apply("{ _id: 1 }", update, isUpsertInsert: true);
        var (updated, _) = Apply("{ _id: 1 }", update);

        AssertDocument("{ _id: 1, defaultQty: 100, item: 'apple' }", inserted);
        AssertDocument("{ _id: 1, item: 'apple' }", updated);
    }

    [Fact]
    public void CurrentDate_sets_a_date_and_a_timestamp()
    {
        var (doc, _) = Apply(
            "{ _id: 1, status: 'a', lastModified: ISODate('2013-10-02T01:11:18.965Z') }",
            """{ $currentDate: { lastModified: true, "cancellation.date": { $type: "timestamp" } }, $set: { "cancellation.reason": "user request", status: "D" } }""");

        Assert.Equal(new BsonDateTime(Now), doc["lastModified"]);
        Assert.Equal(BsonType.Timestamp, doc["cancellation"]["date"].BsonType);
        Assert.Equal(Now.Subtract(DateTime.UnixEpoch).TotalSeconds, doc["cancellation"]["date"].AsBsonTimestamp.Timestamp, 0);
        Assert.Equal("user request", doc["cancellation"]["reason"].AsString);
        Assert.Equal("D", doc["status"].AsString);
    }

    [Fact]
    public void CurrentDate_with_type_date_sets_a_date()
    {
        var (doc, _) = Apply("{ _id: 1 }", "{ $currentDate: { d: { $type: 'date' } } }");

        Assert.Equal(new BsonDateTime(Now), doc["d"]);
    }

    [Fact]
    public void CurrentDate_rejects_an_unknown_type()
    {
        var error = FailsToParse("{ $currentDate: { d: { $type: 'string' } } }");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
    }

    [Fact]
    public void Rename_moves_a_field_to_the_end_of_the_document()
    {
        var (doc, changed) = Apply(
            "{ _id: 1, alias: [ 'The American Cincinnatus' ], mobile: '555-555-5555', nmae: { first: 'george', last: 'washington' } }",
            "{ $rename: { nmae: 'name' } }");

        Assert.True(changed);
        AssertDocument(
            "{ _id: 1, alias: [ 'The American Cincinnatus' ], mobile: '555-555-5555', name: { first: 'george', last: 'washington' } }",
            doc);
    }

    [Fact]
    public void Rename_of_an_embedded_field()
    {
        var (doc, _) = Apply("{ _id: 1, name: { first: 'george', last: 'washington' } }", """{ $rename: { "name.first": "name.fname" } }""");

        AssertDocument("{ _id: 1, name: { last: 'washington', fname: 'george' } }", doc);
    }

    [Fact]
    public void Rename_of_a_missing_field_does_nothing()
    {
        var (doc, changed) = Apply("{ _id: 1, a: 1 }", "{ $rename: { wife: 'spouse' } }");

        Assert.False(changed);
        AssertDocument("{ _id: 1, a: 1 }", doc);
    }

    [Fact]
    public void Rename_overwrites_an_existing_destination_in_place()
    {
        var (doc, _) = Apply("{ _id: 1, a: 1, b: 2, c: 3 }", "{ $rename: { c: 'a' } }");

        AssertDocument("{ _id: 1, a: 3, b: 2 }", doc);
    }

    [Fact]
    public void Rename_through_an_array_is_rejected()
    {
        var error = Fails("{ _id: 1, a: [ { b: 1 } ] }", """{ $rename: { "a.0.b": "c" } }""");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
        Assert.StartsWith("The source field cannot be an array element", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rename_to_the_same_field_is_rejected()
    {
        var error = FailsToParse("{ $rename: { a: 'a' } }");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
    }

    // https://www.mongodb.com/docs/manual/core/document/#the-_id-field: _id is immutable.
    [Fact]
    public void Changing_the_id_fails_with_ImmutableField()
    {
        var error = Fails("{ _id: 1, a: 1 }", "{ $inc: { _id: 1 } }");

        Assert.Equal((int)ErrorCode.ImmutableField, error.Code);
        Assert.Equal("Performing an update on the path '_id' would modify the immutable field '_id'", error.Message);
    }

    [Fact]
    public void Setting_the_id_to_another_value_fails_with_ImmutableField()
    {
        var error = Fails("{ _id: 1, a: 1 }", "{ $set: { _id: 2 } }");

        Assert.Equal((int)ErrorCode.ImmutableField, error.Code);
    }

    [Fact]
    public void Setting_the_id_to_its_own_value_is_allowed()
    {
        var (_, changed) = Apply("{ _id: 1, a: 1 }", "{ $set: { _id: 1, a: 2 } }");

        Assert.True(changed);
    }

    [Fact]
    public void An_upsert_insert_may_set_the_id()
    {
        var (doc, _) = Apply("{ _id: 1 }", "{ $set: { _id: 2 } }", isUpsertInsert: true);

        Assert.Equal(2, doc["_id"].AsInt32);
    }
}
