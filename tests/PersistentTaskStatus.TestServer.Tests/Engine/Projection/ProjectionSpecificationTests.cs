using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Projection;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Projection;

// https://www.mongodb.com/docs/manual/tutorial/project-fields-from-query-results/,
// https://www.mongodb.com/docs/manual/reference/operator/projection/slice/,
// https://www.mongodb.com/docs/manual/reference/operator/projection/elemMatch/,
// https://www.mongodb.com/docs/manual/reference/operator/projection/positional/
public sealed class ProjectionSpecificationTests
{
    private const string Inventory =
        "{ _id: 1, item: 'journal', status: 'A', size: { h: 14, w: 21, uom: 'cm' }, "
        + "instock: [{ warehouse: 'A', qty: 5 }, { warehouse: 'C', qty: 15 }] }";

    private static string Project(string projection, string document, int? position = null, bool aggregation = false) =>
        ProjectionSpecification.Parse(BsonDocument.Parse(projection), aggregation)
            .Apply(BsonDocument.Parse(document), position, ExpressionContext.ForNow())
            .ToJson();

    private static string Json(string document) => BsonDocument.Parse(document).ToJson();

    [Theory]
    [InlineData("{ item: 1, status: 1 }", "{ _id: 1, item: 'journal', status: 'A' }")]
    [InlineData("{ status: 1, item: 1 }", "{ _id: 1, item: 'journal', status: 'A' }")]
    [InlineData("{ item: 1, status: 1, _id: 0 }", "{ item: 'journal', status: 'A' }")]
    [InlineData("{ status: 0, instock: 0 }", "{ _id: 1, item: 'journal', size: { h: 14, w: 21, uom: 'cm' } }")]
    [InlineData("{ _id: 0 }", "{ item: 'journal', status: 'A', size: { h: 14, w: 21, uom: 'cm' }, instock: [{ warehouse: 'A', qty: 5 }, { warehouse: 'C', qty: 15 }] }")]
    [InlineData("{ _id: 1 }", "{ _id: 1 }")]
    [InlineData("{ item: 1, 'size.uom': 1 }", "{ _id: 1, item: 'journal', size: { uom: 'cm' } }")]
    [InlineData("{ item: 1, size: { uom: 1 } }", "{ _id: 1, item: 'journal', size: { uom: 'cm' } }")]
    [InlineData("{ 'size.uom': 0 }", "{ _id: 1, item: 'journal', status: 'A', size: { h: 14, w: 21 }, instock: [{ warehouse: 'A', qty: 5 }, { warehouse: 'C', qty: 15 }] }")]
    [InlineData("{ item: 1, 'instock.qty': 1 }", "{ _id: 1, item: 'journal', instock: [{ qty: 5 }, { qty: 15 }] }")]
    [InlineData("{ 'instock.warehouse': 0, size: 0, status: 0, item: 0 }", "{ _id: 1, instock: [{ qty: 5 }, { qty: 15 }] }")]
    [InlineData("{ item: true, status: 5 }", "{ _id: 1, item: 'journal', status: 'A' }")]
    [InlineData("{ missing: 1 }", "{ _id: 1 }")]
    [InlineData("{ }", Inventory)]
    public void Inclusion_and_exclusion_in_find(string projection, string expected) =>
        Assert.Equal(Json(expected), Project(projection, Inventory));

    [Fact]
    public void Inclusion_of_a_path_through_scalars_drops_them_and_keeps_empty_documents()
    {
        Assert.Equal(
            Json("{ _id: 1, a: [{ b: 1 }, { }, [{ b: 2 }]] }"),
            Project("{ 'a.b': 1 }", "{ _id: 1, a: [{ b: 1, c: 2 }, { c: 3 }, 5, [{ b: 2 }]] }"));
        Assert.Equal(Json("{ _id: 1 }"), Project("{ 'a.b': 1 }", "{ _id: 1, a: 5 }"));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/projection/slice/
    [Theory]
    [InlineData("{ comments: { $slice: 1 } }", "{ _id: 1, title: 'x', comments: ['a'], tags: ['t'] }")]
    [InlineData("{ comments: { $slice: -1 } }", "{ _id: 1, title: 'x', comments: ['c'], tags: ['t'] }")]
    [InlineData("{ comments: { $slice: [1, 1] } }", "{ _id: 1, title: 'x', comments: ['b'], tags: ['t'] }")]
    [InlineData("{ comments: { $slice: [-2, 1] } }", "{ _id: 1, title: 'x', comments: ['b'], tags: ['t'] }")]
    [InlineData("{ comments: { $slice: [5, 2] } }", "{ _id: 1, title: 'x', comments: [], tags: ['t'] }")]
    [InlineData("{ comments: { $slice: 10 } }", "{ _id: 1, title: 'x', comments: ['a', 'b', 'c'], tags: ['t'] }")]
    [InlineData("{ comments: { $slice: 1 }, title: 1 }", "{ _id: 1, title: 'x', comments: ['a'] }")]
    [InlineData("{ title: { $slice: 1 } }", "{ _id: 1, title: 'x', comments: ['a', 'b', 'c'], tags: ['t'] }")]
    [InlineData("{ comments: { $slice: 1 }, tags: 0 }", "{ _id: 1, title: 'x', comments: ['a'] }")]
    public void Slice_projection(string projection, string expected) =>
        Assert.Equal(Json(expected), Project(projection, "{ _id: 1, title: 'x', comments: ['a', 'b', 'c'], tags: ['t'] }"));

    [Fact]
    public void Slice_of_a_nested_array_in_an_inclusion_returns_only_that_field_of_the_embedded_document()
    {
        Assert.Equal(
            Json("{ _id: 1, item: 'x', details: { colors: ['blue'] } }"),
            Project("{ item: 1, 'details.colors': { $slice: 1 } }", "{ _id: 1, item: 'x', details: { colors: ['blue', 'red'], sizes: ['S'] } }"));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/projection/elemMatch/
    [Fact]
    public void ElemMatch_returns_the_first_matching_element_only()
    {
        const string school = "{ _id: 1, zipcode: '63109', students: [{ name: 'john', school: 102, age: 10 }, { name: 'jess', school: 102, age: 11 }, { name: 'jeff', school: 108, age: 15 }] }";

        Assert.Equal(
            Json("{ _id: 1, students: [{ name: 'john', school: 102, age: 10 }] }"),
            Project("{ students: { $elemMatch: { school: 102 } } }", school));
        Assert.Equal(
            Json("{ _id: 1, students: [{ name: 'jess', school: 102, age: 11 }] }"),
            Project("{ students: { $elemMatch: { school: 102, age: { $gt: 10 } } } }", school));
        Assert.Equal(Json("{ _id: 1 }"), Project("{ students: { $elemMatch: { school: 999 } } }", school));
    }

    [Fact]
    public void ElemMatch_fields_come_after_the_other_included_fields()
    {
        Assert.Equal(
            Json("{ _id: 1, zipcode: '63109', students: [{ school: 102 }] }"),
            Project("{ students: { $elemMatch: { school: 102 } }, zipcode: 1 }", "{ _id: 1, students: [{ school: 102 }], zipcode: '63109' }"));
    }

    // https://www.mongodb.com/docs/manual/reference/operator/projection/positional/
    [Fact]
    public void Positional_projection_returns_the_element_the_query_matched()
    {
        Assert.Equal(
            Json("{ _id: 1, grades: [90] }"),
            Project("{ 'grades.$': 1 }", "{ _id: 1, semester: 1, grades: [70, 87, 90] }", position: 2));
        Assert.Equal(
            Json("{ semester: 1, grades: [87] }"),
            Project("{ _id: 0, semester: 1, 'grades.$': 1 }", "{ _id: 1, semester: 1, grades: [70, 87, 90] }", position: 1));
    }

    [Fact]
    public void Positional_projection_without_a_matched_element_fails()
    {
        var projection = ProjectionSpecification.Parse(BsonDocument.Parse("{ 'grades.$': 1 }"), forAggregation: false);

        var error = Assert.Throws<MongoServerException>(
            () => projection.Apply(BsonDocument.Parse("{ _id: 1, grades: [1] }"), null, ExpressionContext.ForNow()));

        Assert.Equal(51246, error.Code);
        Assert.Equal("positional operator '.$' couldn't find a matching element in the array", error.Message);
    }

    [Theory]
    [InlineData("{ a: 1, b: 0 }", false, 31254, "Cannot do exclusion on field b in inclusion projection")]
    [InlineData("{ a: 0, b: 1 }", false, 31253, "Cannot do inclusion on field b in exclusion projection")]
    [InlineData("{ a: 0, b: { $add: [1, 2] } }", false, 31252, "Cannot use expression other than $meta in exclusion projection")]
    [InlineData("{ a: 1, 'a.b': 1 }", false, 31249, "Path collision at a.b remaining portion b")]
    [InlineData("{ 'a.b': 1, a: 1 }", false, 31250, "Path collision at a")]
    [InlineData("{ a: {} }", false, 51270, "An empty sub-projection is not a valid value. Found empty object at path")]
    [InlineData("{ 'a.$.b': 1 }", false, 31394, "As of 4.4, it's illegal to specify positional operator in the middle of a path.Positional projection may only be used at the end, for example: a.b.$. If the query previously used a form like a.b.$.d, remove the parts following the '$' and the results will be equivalent.")]
    [InlineData("{ 'a.$': 1, 'b.$': 1 }", false, 31276, "Cannot specify more than one positional projection per query.")]
    [InlineData("{ 'a.$': 1, b: { $elemMatch: { c: 1 } } }", false, 31255, "Cannot specify positional operator and $elemMatch.")]
    [InlineData("{ 'a.b': { $elemMatch: { c: 1 } } }", false, 31275, "Cannot use $elemMatch projection on a nested field.")]
    [InlineData("{ a: { $elemMatch: 1 } }", false, 31274, "elemMatch: Invalid argument, object required, but got Int32")]
    [InlineData("{ a: { $slice: 'x' } }", false, 31273, "$slice only supports numbers and [skip, limit] arrays")]
    [InlineData("{ }", true, 51272, "Invalid $project :: caused by :: projection specification must have at least one field")]
    [InlineData("{ 'a.$': 1 }", true, 31324, "Invalid $project :: caused by :: Cannot use positional projection in aggregation projection")]
    [InlineData("{ a: true, b: false }", true, 31254, "Invalid $project :: caused by :: Cannot do exclusion on field b in inclusion projection")]
    public void Invalid_projections_are_refused(string projection, bool aggregation, int code, string message)
    {
        var error = Assert.Throws<MongoServerException>(
            () => ProjectionSpecification.Parse(BsonDocument.Parse(projection), aggregation));

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_slice_that_is_not_finds_form_is_read_as_the_slice_expression()
    {
        // MongoDB's parser falls back to the $slice aggregation expression when [skip, limit] is invalid for find.
        var projection = ProjectionSpecification.Parse(BsonDocument.Parse("{ a: { $slice: [1, 0] } }"), forAggregation: false);

        Assert.True(projection.IsInclusion);
    }

    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/project/
    [Theory]
    [InlineData("{ title: 1, author: 1 }", "{ _id: 1, title: 'abc', author: { first: 'a', last: 'z' } }")]
    [InlineData("{ _id: 0, title: 1, author: 1 }", "{ title: 'abc', author: { first: 'a', last: 'z' } }")]
    [InlineData("{ 'author.first': 0, lastModified: 0 }", "{ _id: 1, title: 'abc', isbn: '1', author: { last: 'z' } }")]
    [InlineData("{ title: 1, 'author.last': 1 }", "{ _id: 1, title: 'abc', author: { last: 'z' } }")]
    public void Project_stage_inclusion_and_exclusion(string projection, string expected) =>
        Assert.Equal(
            Json(expected),
            Project(projection, "{ _id: 1, title: 'abc', isbn: '1', author: { first: 'a', last: 'z' }, lastModified: 5 }", aggregation: true));

    [Fact]
    public void Find_only_operators_are_aggregation_expressions_in_project()
    {
        // In $project, { $elemMatch: ... } is not the find operator: it is read as an expression.
        var projection = ProjectionSpecification.Parse(BsonDocument.Parse("{ a: { $literal: 1 } }"), forAggregation: true);

        Assert.True(projection.IsInclusion);
    }

    // These call ExpressionEvaluator, which another part of the server implements.
    [Fact]
    public void Computed_fields_are_appended_after_included_fields_in_projection_order()
    {
        Assert.Equal(
            Json("{ _id: 1, title: 'abc', z: 'abc', lit: 5 }"),
            Project("{ z: '$title', title: 1, lit: { $literal: 5 } }", "{ _id: 1, title: 'abc', other: 2 }"));
    }

    [Fact]
    public void Computed_nested_fields_create_documents()
    {
        Assert.Equal(
            Json("{ _id: 1, a: { b: 'abc' } }"),
            Project("{ 'a.b': '$title' }", "{ _id: 1, title: 'abc' }", aggregation: true));
    }
}
