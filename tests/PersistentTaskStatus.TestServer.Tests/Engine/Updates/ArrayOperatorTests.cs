using PersistentTaskStatus.TestServer.Engine;
using static PersistentTaskStatus.TestServer.Tests.Engine.Updates.UpdateTestHelper;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Updates;

// https://www.mongodb.com/docs/manual/reference/operator/update/push/ (and $each, $position, $slice, $sort pages)
// https://www.mongodb.com/docs/manual/reference/operator/update/addToSet/
// https://www.mongodb.com/docs/manual/reference/operator/update/pop/
// https://www.mongodb.com/docs/manual/reference/operator/update/pull/
// https://www.mongodb.com/docs/manual/reference/operator/update/pullAll/
public sealed class ArrayOperatorTests
{
    [Fact]
    public void Push_appends_a_value()
    {
        var (doc, _) = Apply("{ _id: 1, scores: [ 44, 78, 38, 80 ] }", "{ $push: { scores: 89 } }");

        AssertDocument("{ _id: 1, scores: [ 44, 78, 38, 80, 89 ] }", doc);
    }

    [Fact]
    public void Push_of_an_array_appends_it_as_one_element()
    {
        var (doc, _) = Apply("{ _id: 1, a: [ 1 ] }", "{ $push: { a: [ 2, 3 ] } }");

        AssertDocument("{ _id: 1, a: [ 1, [ 2, 3 ] ] }", doc);
    }

    [Fact]
    public void Push_to_a_missing_field_creates_the_array()
    {
        var (doc, _) = Apply("{ _id: 1 }", "{ $push: { scores: 89 } }");

        AssertDocument("{ _id: 1, scores: [ 89 ] }", doc);
    }

    [Fact]
    public void Push_each_appends_every_value()
    {
        var (doc, _) = Apply("{ _id: 1, scores: [ 44 ] }", "{ $push: { scores: { $each: [ 90, 92, 85 ] } } }");

        AssertDocument("{ _id: 1, scores: [ 44, 90, 92, 85 ] }", doc);
    }

    [Fact]
    public void Push_with_each_sort_and_slice_keeps_the_top_three()
    {
        var (doc, _) = Apply(
            "{ _id: 5, quizzes: [ { wk: 1, score: 10 }, { wk: 2, score: 8 }, { wk: 3, score: 5 }, { wk: 4, score: 6 } ] }",
            "{ $push: { quizzes: { $each: [ { wk: 5, score: 8 }, { wk: 6, score: 7 }, { wk: 7, score: 6 } ], $sort: { score: -1 }, $slice: 3 } } }");

        AssertDocument("{ _id: 5, quizzes: [ { wk: 1, score: 10 }, { wk: 2, score: 8 }, { wk: 5, score: 8 } ] }", doc);
    }

    [Fact]
    public void Push_with_position_zero_inserts_at_the_start()
    {
        var (doc, _) = Apply("{ _id: 1, scores: [ 100 ] }", "{ $push: { scores: { $each: [ 50, 60, 70 ], $position: 0 } } }");

        AssertDocument("{ _id: 1, scores: [ 50, 60, 70, 100 ] }", doc);
    }

    [Fact]
    public void Push_with_a_position_inserts_in_the_middle()
    {
        var (doc, _) = Apply("{ _id: 1, scores: [ 50, 60, 70, 100 ] }", "{ $push: { scores: { $each: [ 20, 30 ], $position: 2 } } }");

        AssertDocument("{ _id: 1, scores: [ 50, 60, 20, 30, 70, 100 ] }", doc);
    }

    [Fact]
    public void Push_with_a_negative_position_counts_from_the_end()
    {
        var (doc, _) = Apply(
            "{ _id: 1, scores: [ 50, 60, 20, 30, 70, 100 ] }",
            "{ $push: { scores: { $each: [ 90, 80 ], $position: -2 } } }");

        AssertDocument("{ _id: 1, scores: [ 50, 60, 20, 30, 90, 80, 70, 100 ] }", doc);
    }

    [Fact]
    public void Push_with_a_negative_slice_keeps_the_last_elements()
    {
        var (doc, _) = Apply("{ _id: 1, scores: [ 40, 50, 60 ] }", "{ $push: { scores: { $each: [ 80, 78, 86 ], $slice: -5 } } }");

        AssertDocument("{ _id: 1, scores: [ 50, 60, 80, 78, 86 ] }", doc);
    }

    [Fact]
    public void Push_with_a_positive_slice_keeps_the_first_elements()
    {
        var (doc, _) = Apply("{ _id: 2, scores: [ 89, 90 ] }", "{ $push: { scores: { $each: [ 100, 20 ], $slice: 3 } } }");

        AssertDocument("{ _id: 2, scores: [ 89, 90, 100 ] }", doc);
    }

    [Fact]
    public void Push_with_an_empty_each_only_slices()
    {
        var (doc, _) = Apply("{ _id: 3, scores: [ 89, 70, 100, 20 ] }", "{ $push: { scores: { $each: [ ], $slice: -3 } } }");

        AssertDocument("{ _id: 3, scores: [ 70, 100, 20 ] }", doc);
    }

    [Fact]
    public void Push_sorts_whole_values()
    {
        var (doc, _) = Apply("{ _id: 2, tests: [ 89, 70, 89, 50 ] }", "{ $push: { tests: { $each: [ 40, 60 ], $sort: 1 } } }");

        AssertDocument("{ _id: 2, tests: [ 40, 50, 60, 70, 89, 89 ] }", doc);
    }

    [Fact]
    public void Push_with_an_empty_each_only_sorts()
    {
        var (doc, _) = Apply("{ _id: 2, tests: [ 40, 50, 60, 70, 89, 89 ] }", "{ $push: { tests: { $each: [ ], $sort: -1 } } }");

        AssertDocument("{ _id: 2, tests: [ 89, 89, 70, 60, 50, 40 ] }", doc);
    }

    [Fact]
    public void Push_sorts_documents_by_an_embedded_field()
    {
        var (doc, _) = Apply(
            "{ _id: 1, quizzes: [ { id: 1, score: 6 }, { id: 2, score: 9 } ] }",
            "{ $push: { quizzes: { $each: [ { id: 3, score: 8 }, { id: 4, score: 7 }, { id: 5, score: 6 } ], $sort: { score: 1 } } } }");

        AssertDocument(
            "{ _id: 1, quizzes: [ { id: 1, score: 6 }, { id: 5, score: 6 }, { id: 4, score: 7 }, { id: 3, score: 8 }, { id: 2, score: 9 } ] }",
            doc);
    }

    [Fact]
    public void Push_to_a_non_array_fails()
    {
        var error = Fails("{ _id: 1, a: 1 }", "{ $push: { a: 2 } }");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
        Assert.Equal("The field 'a' must be an array but is of type int in document {_id: 1}", error.Message);
    }

    [Fact]
    public void Push_rejects_an_unknown_modifier()
    {
        var error = FailsToParse("{ $push: { a: { $each: [ 1 ], $foo: 1 } } }");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
    }

    [Fact]
    public void AddToSet_adds_an_array_as_one_element()
    {
        var (doc, _) = Apply("{ _id: 1, letters: [ 'a', 'b' ] }", "{ $addToSet: { letters: [ 'c', 'd' ] } }");

        AssertDocument("{ _id: 1, letters: [ 'a', 'b', [ 'c', 'd' ] ] }", doc);
    }

    [Fact]
    public void AddToSet_adds_a_missing_value_and_ignores_a_present_one()
    {
        const string inventory = "{ _id: 1, item: 'polarizing_filter', tags: [ 'electronics', 'camera' ] }";

        var (added, addedChanged) = Apply(inventory, "{ $addToSet: { tags: 'accessories' } }");
        var (same, sameChanged) = Apply(inventory, "{ $addToSet: { tags: 'camera' } }");

        Assert.True(addedChanged);
        Assert.Equal(new BsonArray { "electronics", "camera", "accessories" }, added["tags"].AsBsonArray);
        Assert.False(sameChanged);
        Assert.Equal(2, same["tags"].AsBsonArray.Count);
    }

    [Fact]
    public void AddToSet_each_adds_only_missing_values()
    {
        var (doc, _) = Apply(
            "{ _id: 2, item: 'cable', tags: [ 'electronics', 'supplies' ] }",
            "{ $addToSet: { tags: { $each: [ 'camera', 'electronics', 'accessories' ] } } }");

        Assert.Equal(new BsonArray { "electronics", "supplies", "camera", "accessories" }, doc["tags"].AsBsonArray);
    }

    // "If the value is a document, MongoDB determines that the document is a duplicate if an existing document in
    // the array matches the to-be-added document exactly; i.e. the existing document has the exact same fields and
    // values and the fields are in the same order."
    [Fact]
    public void AddToSet_treats_documents_with_other_field_order_as_different()
    {
        var (doc, _) = Apply("{ _id: 1, a: [ { x: 1, y: 2 } ] }", "{ $addToSet: { a: { y: 2, x: 1 } } }");

        Assert.Equal(2, doc["a"].AsBsonArray.Count);
    }

    [Fact]
    public void AddToSet_to_a_non_array_fails()
    {
        var error = Fails("{ _id: 1, colors: 'blue,green,red' }", "{ $addToSet: { colors: 'mauve' } }");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
    }

    [Fact]
    public void Pop_minus_one_removes_the_first_element()
    {
        var (doc, _) = Apply("{ _id: 1, scores: [ 8, 9, 10 ] }", "{ $pop: { scores: -1 } }");

        AssertDocument("{ _id: 1, scores: [ 9, 10 ] }", doc);
    }

    [Fact]
    public void Pop_one_removes_the_last_element()
    {
        var (doc, _) = Apply("{ _id: 10, scores: [ 9, 10 ] }", "{ $pop: { scores: 1 } }");

        AssertDocument("{ _id: 10, scores: [ 9 ] }", doc);
    }

    [Fact]
    public void Pop_of_an_empty_or_missing_array_is_not_a_change()
    {
        var (_, emptyChanged) = Apply("{ _id: 1, a: [ ] }", "{ $pop: { a: 1 } }");
        var (_, missingChanged) = Apply("{ _id: 1 }", "{ $pop: { a: 1 } }");

        Assert.False(emptyChanged);
        Assert.False(missingChanged);
    }

    [Fact]
    public void Pop_rejects_values_other_than_one_and_minus_one()
    {
        var error = FailsToParse("{ $pop: { a: 2 } }");

        Assert.Equal((int)ErrorCode.FailedToParse, error.Code);
        Assert.Equal("$pop expects 1 or -1, found: 2", error.Message);
    }

    [Fact]
    public void Pop_of_a_non_array_fails()
    {
        var error = Fails("{ _id: 1, a: 1 }", "{ $pop: { a: 1 } }");

        Assert.Equal((int)ErrorCode.TypeMismatch, error.Code);
        Assert.Equal("Path 'a' contains an element of non-array type 'int'", error.Message);
    }

    [Fact]
    public void Pull_of_a_value_removes_every_equal_element()
    {
        var (doc, _) = Apply(
            "{ _id: 1, vegetables: [ 'carrots', 'celery', 'squash', 'carrots' ] }",
            "{ $pull: { vegetables: 'carrots' } }");

        Assert.Equal(new BsonArray { "celery", "squash" }, doc["vegetables"].AsBsonArray);
    }

    [Fact]
    public void Pull_of_a_missing_field_is_not_a_change()
    {
        var (_, changed) = Apply("{ _id: 1 }", "{ $pull: { a: 1 } }");

        Assert.False(changed);
    }

    // Needs QueryFilter: a condition on the elements themselves.
    [Fact]
    public void Pull_with_a_condition_removes_the_matching_elements()
    {
        var (doc, _) = Apply("{ _id: 1, votes: [ 3, 5, 6, 7, 7, 8 ] }", "{ $pull: { votes: { $gte: 6 } } }");

        AssertDocument("{ _id: 1, votes: [ 3, 5 ] }", doc);
    }

    // Needs QueryFilter: $in over the elements.
    [Fact]
    public void Pull_with_in_and_a_value_on_two_fields()
    {
        var (doc, _) = Apply(
            "{ _id: 1, fruits: [ 'apples', 'pears', 'oranges', 'grapes', 'bananas' ], vegetables: [ 'carrots', 'celery', 'squash', 'carrots' ] }",
            "{ $pull: { fruits: { $in: [ 'apples', 'oranges' ] }, vegetables: 'carrots' } }");

        AssertDocument("{ _id: 1, fruits: [ 'pears', 'grapes', 'bananas' ], vegetables: [ 'celery', 'squash' ] }", doc);
    }

    // Needs QueryFilter: a query over the fields of document elements.
    [Fact]
    public void Pull_with_a_document_removes_documents_matching_it_as_a_query()
    {
        var (doc, _) = Apply(
            "{ _id: 1, results: [ { item: 'A', score: 5 }, { item: 'B', score: 8 } ] }",
            "{ $pull: { results: { score: 8, item: 'B' } } }");

        AssertDocument("{ _id: 1, results: [ { item: 'A', score: 5 } ] }", doc);
    }

    [Fact]
    public void PullAll_removes_every_listed_value()
    {
        var (doc, _) = Apply("{ _id: 1, scores: [ 0, 2, 5, 5, 1, 0 ] }", "{ $pullAll: { scores: [ 0, 5 ] } }");

        AssertDocument("{ _id: 1, scores: [ 2, 1 ] }", doc);
    }
}
