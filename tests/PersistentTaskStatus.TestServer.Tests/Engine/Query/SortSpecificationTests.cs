using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Query;

// https://www.mongodb.com/docs/manual/reference/method/cursor.sort/ and
// https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
public sealed class SortSpecificationTests
{
    internal static List<int> SortedIds(string sort, params string[] documents) =>
        SortSpecification.Parse(BsonDocument.Parse(sort))
            .Sort(documents.Select(BsonDocument.Parse))
            .Select(d => d["_id"].AsInt32)
            .ToList();

    [Fact]
    public void Ascending_and_descending_on_one_field()
    {
        Assert.Equal([2, 3, 1], SortedIds("{ a: 1 }", "{ _id: 1, a: 3 }", "{ _id: 2, a: 1 }", "{ _id: 3, a: 2 }"));
        Assert.Equal([1, 3, 2], SortedIds("{ a: -1 }", "{ _id: 1, a: 3 }", "{ _id: 2, a: 1 }", "{ _id: 3, a: 2 }"));
    }

    [Fact]
    public void Compound_sort_uses_the_second_key_for_ties()
    {
        Assert.Equal(
            [2, 3, 1],
            SortedIds("{ a: 1, b: -1 }", "{ _id: 1, a: 2, b: 1 }", "{ _id: 2, a: 1, b: 5 }", "{ _id: 3, a: 1, b: 4 }"));
    }

    [Fact]
    public void Ties_keep_the_input_order()
    {
        Assert.Equal([3, 1, 2], SortedIds("{ a: 1 }", "{ _id: 3, a: 1 }", "{ _id: 1, a: 1 }", "{ _id: 2, a: 1 }"));
    }

    [Fact]
    public void Different_types_sort_in_BSON_comparison_order()
    {
        Assert.Equal(
            [5, 4, 1, 2, 3],
            SortedIds(
                "{ a: 1 }",
                "{ _id: 1, a: 10 }",
                "{ _id: 2, a: 'text' }",
                "{ _id: 3, a: { x: 1 } }",
                "{ _id: 4, a: null }",
                "{ _id: 5, a: MinKey }"));
    }

    [Fact]
    public void Missing_fields_sort_as_null_and_empty_arrays_before_them()
    {
        Assert.Equal([3, 1, 2, 4], SortedIds("{ a: 1 }", "{ _id: 1 }", "{ _id: 2, a: null }", "{ _id: 3, a: [] }", "{ _id: 4, a: 0 }"));
    }

    [Fact]
    public void Arrays_sort_by_their_smallest_element_ascending_and_largest_descending()
    {
        Assert.Equal([1, 2], SortedIds("{ a: 1 }", "{ _id: 1, a: [1, 9] }", "{ _id: 2, a: [5, 6] }"));
        Assert.Equal([1, 2], SortedIds("{ a: -1 }", "{ _id: 1, a: [1, 9] }", "{ _id: 2, a: [5, 6] }"));
    }

    [Fact]
    public void Dotted_paths_reach_into_embedded_documents_and_arrays_of_documents()
    {
        Assert.Equal([2, 1], SortedIds("{ 'a.b': 1 }", "{ _id: 1, a: { b: 2 } }", "{ _id: 2, a: { b: 1 } }"));
        Assert.Equal([1, 2], SortedIds("{ 'a.b': 1 }", "{ _id: 1, a: [{ b: 7 }, { b: 0 }] }", "{ _id: 2, a: [{ b: 1 }] }"));
    }

    [Fact]
    public void Numbers_of_different_types_compare_by_value()
    {
        Assert.Equal([2, 3, 1], SortedIds("{ a: 1 }", "{ _id: 1, a: 3.5 }", "{ _id: 2, a: NumberLong(1) }", "{ _id: 3, a: NumberDecimal('2') }"));
    }

    [Fact]
    public void Compare_orders_two_documents()
    {
        var sort = SortSpecification.Parse(BsonDocument.Parse("{ a: -1 }"));

        Assert.True(sort.Compare(BsonDocument.Parse("{ a: 2 }"), BsonDocument.Parse("{ a: 1 }")) < 0);
        Assert.Equal(0, sort.Compare(BsonDocument.Parse("{ a: 1 }"), BsonDocument.Parse("{ a: 1.0 }")));
    }

    [Theory]
    [InlineData("{ a: 2 }", 15975, "$sort key ordering must be 1 (for ascending) or -1 (for descending)")]
    [InlineData("{ a: 0 }", 15975, "$sort key ordering must be 1 (for ascending) or -1 (for descending)")]
    [InlineData("{ a: 'asc' }", 15974, "Illegal key in $sort specification: a: \"asc\"")]
    [InlineData("{ $a: 1 }", 16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.")]
    public void Invalid_sort_documents_are_refused(string sort, int code, string message)
    {
        var error = Assert.Throws<MongoServerException>(() => SortSpecification.Parse(BsonDocument.Parse(sort)));

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Sorting_by_meta_is_not_supported()
    {
        var error = Assert.Throws<MongoServerException>(
            () => SortSpecification.Parse(BsonDocument.Parse("{ score: { $meta: 'textScore' } }")));

        Assert.Equal((int)ErrorCode.NotImplemented, error.Code);
    }
}
