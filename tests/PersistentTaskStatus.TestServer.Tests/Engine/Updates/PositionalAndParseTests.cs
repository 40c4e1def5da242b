using PersistentTaskStatus.TestServer.Engine;
using static PersistentTaskStatus.TestServer.Tests.Engine.Updates.UpdateTestHelper;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Updates;

// https://www.mongodb.com/docs/manual/reference/operator/update/positional/
// https://www.mongodb.com/docs/manual/reference/operator/update/positional-all/
// https://www.mongodb.com/docs/manual/reference/operator/update/positional-filtered/
public sealed class PositionalTests
{
    private const string Grades = """
        { _id: 4, grades: [ { grade: 80, mean: 75, std: 8 }, { grade: 85, mean: 90, std: 5 }, { grade: 85, mean: 85, std: 8 } ] }
        """;

    [Fact]
    public void Positional_sets_the_element_the_query_matched()
    {
        var (doc, _) = Apply("{ _id: 1, grades: [ 85, 80, 80 ] }", """{ $set: { "grades.$": 82 } }""", positionalIndex: 1);

        AssertDocument("{ _id: 1, grades: [ 85, 82, 80 ] }", doc);
    }

    [Fact]
    public void Positional_updates_a_field_of_the_matched_document()
    {
        var (doc, _) = Apply(Grades, """{ $set: { "grades.$.std": 6 } }""", positionalIndex: 1);

        Assert.Equal(6, doc["grades"][1]["std"].AsInt32);
        Assert.Equal(8, doc["grades"][0]["std"].AsInt32);
    }

    [Fact]
    public void Positional_without_a_match_fails()
    {
        var error = Fails("{ _id: 1, grades: [ 85 ] }", """{ $set: { "grades.$": 82 } }""");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
        Assert.Equal("The positional operator did not find the match needed from the query.", error.Message);
    }

    [Fact]
    public void All_positional_updates_every_element()
    {
        var (doc, _) = Apply("{ _id: 1, grades: [ 85, 82, 80 ] }", """{ $inc: { "grades.$[]": 10 } }""");

        AssertDocument("{ _id: 1, grades: [ 95, 92, 90 ] }", doc);
    }

    [Fact]
    public void All_positional_updates_a_field_of_every_document()
    {
        var (doc, _) = Apply(Grades, """{ $inc: { "grades.$[].std": -2 } }""");

        Assert.Equal(new BsonArray { 6, 3, 6 }, new BsonArray(doc["grades"].AsBsonArray.Select(g => g["std"])));
    }

    [Fact]
    public void All_positional_on_a_missing_field_fails()
    {
        var error = Fails("{ _id: 1 }", """{ $set: { "grades.$[]": 1 } }""");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
        Assert.Equal("The path 'grades' must exist in the document in order to apply array updates.", error.Message);
    }

    [Fact]
    public void All_positional_on_a_non_array_fails()
    {
        var error = Fails("{ _id: 1, grades: 1 }", """{ $set: { "grades.$[]": 1 } }""");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
        Assert.Equal("Cannot apply array updates to non-array element grades: 1", error.Message);
    }

    [Fact]
    public void All_positional_nested_updates_every_inner_element()
    {
        var (doc, _) = Apply("{ _id: 1, a: [ [ 1, 2 ], [ 3 ] ] }", """{ $inc: { "a.$[].$[]": 1 } }""");

        AssertDocument("{ _id: 1, a: [ [ 2, 3 ], [ 4 ] ] }", doc);
    }

    // Needs QueryFilter.
    [Fact]
    public void Filtered_positional_updates_the_matching_elements()
    {
        var (doc, _) = Apply(
            "{ _id: 3, grades: [ 95, 110, 100 ] }",
            """{ $set: { "grades.$[element]": 100 } }""",
            "[ { element: { $gte: 100 } } ]");

        AssertDocument("{ _id: 3, grades: [ 95, 100, 100 ] }", doc);
    }

    // Needs QueryFilter.
    [Fact]
    public void Filtered_positional_on_documents_filters_by_an_embedded_field()
    {
        var (doc, _) = Apply(Grades, """{ $set: { "grades.$[elem].mean": 100 } }""", """[ { "elem.grade": { $gte: 85 } } ]""");

        Assert.Equal(new BsonArray { 75, 100, 100 }, new BsonArray(doc["grades"].AsBsonArray.Select(g => g["mean"])));
    }

    // Needs QueryFilter.
    [Fact]
    public void Filtered_positional_nested_in_all_positional()
    {
        var (doc, _) = Apply(
            "{ _id: 1, grades: [ { type: 'quiz', questions: [ 10, 8, 5 ] }, { type: 'quiz', questions: [ 8, 9, 6 ] }, { type: 'hw', questions: [ 5, 4, 3 ] }, { type: 'exam', questions: [ 25, 10, 23, 0 ] } ] }",
            """{ $inc: { "grades.$[].questions.$[score]": 2 } }""",
            "[ { score: { $gte: 8 } } ]");

        AssertDocument(
            "{ _id: 1, grades: [ { type: 'quiz', questions: [ 12, 10, 5 ] }, { type: 'quiz', questions: [ 10, 11, 6 ] }, { type: 'hw', questions: [ 5, 4, 3 ] }, { type: 'exam', questions: [ 27, 12, 25, 0 ] } ] }",
            doc);
    }

    // Needs QueryFilter.
    [Fact]
    public void Two_filtered_positionals_nest()
    {
        var (doc, _) = Apply(
            "{ _id: 1, grades: [ { type: 'quiz', questions: [ 10, 8, 5 ] }, { type: 'hw', questions: [ 9, 4 ] } ] }",
            """{ $inc: { "grades.$[t].questions.$[score]": 1 } }""",
            """[ { "t.type": "quiz" }, { score: { $gte: 8 } } ]""");

        AssertDocument("{ _id: 1, grades: [ { type: 'quiz', questions: [ 11, 9, 5 ] }, { type: 'hw', questions: [ 9, 4 ] } ] }", doc);
    }

    [Fact]
    public void Filtered_positional_without_its_filter_fails_to_parse()
    {
        var error = FailsToParse("""{ $set: { "a.$[x]": 1 } }""");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
        Assert.Equal("No array filter found for identifier 'x' in path 'a.$[x]'", error.Message);
    }

    // Needs QueryFilter (the filter is parsed before the check).
    [Fact]
    public void An_unused_array_filter_fails_to_parse()
    {
        var error = FailsToParse("{ $set: { a: 1 } }", "[ { x: { $gt: 5 } } ]");

        Assert.Equal((int)ErrorCode.FailedToParse, error.Code);
        Assert.StartsWith("The array filter for identifier 'x' was not used in the update", error.Message, StringComparison.Ordinal);
    }
}

// https://www.mongodb.com/docs/manual/reference/operator/update/ (operator syntax and conflicts)
public sealed class UpdateParseTests
{
    [Fact]
    public void An_unknown_modifier_fails_to_parse()
    {
        var error = FailsToParse("{ $foo: { a: 1 } }");

        Assert.Equal((int)ErrorCode.FailedToParse, error.Code);
        Assert.Equal("Unknown modifier: $foo. Expected a valid update modifier or pipeline-style update specified as an array", error.Message);
    }

    [Fact]
    public void An_operator_needs_a_document_of_fields()
    {
        var error = FailsToParse("{ $set: 1 }");

        Assert.Equal((int)ErrorCode.FailedToParse, error.Code);
    }

    [Fact]
    public void Two_operators_on_the_same_path_conflict()
    {
        var error = FailsToParse("{ $set: { a: 1 }, $inc: { a: 1 } }");

        Assert.Equal((int)ErrorCode.ConflictingUpdateOperators, error.Code);
        Assert.Equal("Updating the path 'a' would create a conflict at 'a'", error.Message);
    }

    [Fact]
    public void A_path_under_another_updated_path_conflicts()
    {
        var error = FailsToParse("""{ $set: { a: 1 }, $inc: { "a.b": 1 } }""");

        Assert.Equal((int)ErrorCode.ConflictingUpdateOperators, error.Code);
        Assert.Equal("Updating the path 'a.b' would create a conflict at 'a'", error.Message);
    }

    [Fact]
    public void A_path_above_another_updated_path_conflicts()
    {
        var error = FailsToParse("""{ $set: { "a.b": 1 }, $unset: { a: 1 } }""");

        Assert.Equal((int)ErrorCode.ConflictingUpdateOperators, error.Code);
        Assert.Equal("Updating the path 'a' would create a conflict at 'a'", error.Message);
    }

    [Fact]
    public void Rename_conflicts_with_an_update_of_its_destination()
    {
        var error = FailsToParse("{ $rename: { a: 'b' }, $set: { b: 1 } }");

        Assert.Equal((int)ErrorCode.ConflictingUpdateOperators, error.Code);
    }

    [Fact]
    public void Sibling_paths_do_not_conflict()
    {
        var (doc, _) = Apply("{ _id: 1 }", """{ $set: { "a.b": 1 }, $inc: { "a.c": 2 } }""");

        AssertDocument("{ _id: 1, a: { b: 1, c: 2 } }", doc);
    }

    [Fact]
    public void An_empty_path_segment_fails_to_parse()
    {
        var error = FailsToParse("""{ $set: { "a..b": 1 } }""");

        Assert.Equal((int)ErrorCode.EmptyFieldName, error.Code);
    }

    [Fact]
    public void Positional_in_first_position_fails_to_parse()
    {
        var error = FailsToParse("""{ $set: { "$.a": 1 } }""");

        Assert.Equal((int)ErrorCode.BadValue, error.Code);
    }

    [Fact]
    public void Validation_happens_before_the_update_is_applied()
    {
        // The second operator is invalid: nothing of the first applies because parsing fails.
        Assert.Throws<PersistentTaskStatus.TestServer.Engine.MongoServerException>(
            () => PersistentTaskStatus.TestServer.Engine.Updates.UpdateSpecification.Parse(
                BsonDocument.Parse("{ $set: { a: 1 }, $inc: { b: 'x' } }"), null));
    }
}
