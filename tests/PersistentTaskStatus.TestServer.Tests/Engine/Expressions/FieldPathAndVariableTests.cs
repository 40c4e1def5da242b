using PersistentTaskStatus.TestServer.Engine.Expressions;
using static PersistentTaskStatus.TestServer.Tests.Engine.Expressions.ExpressionAssert;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

// https://www.mongodb.com/docs/manual/core/expression/ (field paths, variables, expression objects, literals)
// https://www.mongodb.com/docs/manual/reference/aggregation-variables/
public sealed class FieldPathAndVariableTests
{
    [Fact]
    public void A_field_path_reads_an_embedded_field() =>
        Evaluates("'x'", "'$a.b'", "{ a: { b: 'x' } }");

    [Fact]
    public void A_field_path_through_an_array_of_documents_yields_the_array_of_values() =>
        Evaluates("[1, 3]", "'$a.b'", "{ a: [ { b: 1 }, { c: 2 }, { b: 3 }, 4 ] }");

    [Fact]
    public void A_missing_field_path_is_missing() => Missing("'$nope'", "{ a: 1 }");

    [Fact]
    public void A_field_path_below_a_scalar_is_missing() => Missing("'$a.b'", "{ a: 1 }");

    [Fact]
    public void Root_and_current_are_the_document() =>
        Evaluates("{ _id: 1, a: 2 }", "'$$ROOT'", "{ _id: 1, a: 2 }");

    [Fact]
    public void Current_with_a_path_reads_a_field() => Evaluates("2", "'$$CURRENT.a'", "{ a: 2 }");

    [Fact]
    public void Now_is_the_commands_single_time() =>
        Same(new BsonDateTime(Now).ToJson(), Evaluate("'$$NOW'"));

    [Fact]
    public void Remove_is_missing() => Missing("'$$REMOVE'");

    [Fact]
    public void Let_variables_of_the_command_are_visible() =>
        Same("5", Evaluate("{ $add: ['$$x', 2] }", "{}", "{ x: 3 }"));

    [Fact]
    public void An_undefined_variable_is_an_error() => Fails(17276, "'$$nosuch'");

    [Fact]
    public void A_document_builds_a_document_and_omits_missing_fields() =>
        Evaluates("{ x: 1, y: { z: 'a' } }", "{ x: '$a', gone: '$nope', y: { z: 'a' } }", "{ a: 1 }");

    [Fact]
    public void An_array_is_evaluated_element_by_element_and_missing_becomes_null() =>
        Evaluates("[1, null, 'k']", "['$a', '$nope', 'k']", "{ a: 1 }");

    [Fact]
    public void A_dollar_alone_is_not_a_field_path() => Fails(16872, "'$'");

    [Fact]
    public void An_unknown_operator_is_unrecognized()
    {
        var error = Fails(168, "{ $foo: 1 }");
        Assert.Equal("Unrecognized expression '$foo'", error.Message);
        Assert.Equal("InvalidPipelineOperator", error.CodeName);
    }

    [Fact]
    public void An_operator_object_with_two_fields_is_an_error() => Fails(15983, "{ $add: [1, 2], x: 1 }");

    [Fact]
    public void A_parsed_expression_evaluates_against_many_documents()
    {
        var compiled = ExpressionEvaluator.Parse(BsonDocument.Parse("{ e: { $multiply: ['$a', 2] } }")["e"]);
        var context = new ExpressionContext(Now);

        Same("2", compiled.Evaluate(BsonDocument.Parse("{ a: 1 }"), context));
        Same("10", compiled.Evaluate(BsonDocument.Parse("{ a: 5 }"), context));
    }
}
