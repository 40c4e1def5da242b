using static PersistentTaskStatus.TestServer.Tests.Engine.Expressions.ExpressionAssert;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Expressions;

// https://www.mongodb.com/docs/manual/reference/operator/aggregation/literal/, .../let/, .../map/, .../filter/,
// .../reduce/, .../cond/, .../ifNull/, .../switch/
public sealed class ControlFlowTests
{
    [Fact]
    public void Literal_keeps_a_dollar_string_as_text() => Evaluates("'$1'", "{ $literal: '$1' }");

    [Fact]
    public void Literal_keeps_an_operator_document_unevaluated() =>
        Evaluates("{ $add: [2, 3] }", "{ $literal: { $add: [2, 3] } }");

    // The manual's $let example: total = price + tax, then total * discounted ? 0.9 : 1.
    [Fact]
    public void Let_binds_variables_for_its_in_expression() =>
        Evaluates(
            "9.0",
            "{ $let: { vars: { total: { $add: ['$price', '$tax'] }, discounted: { $cond: { if: '$applyDiscount', then: 0.9, else: 1 } } }, in: { $multiply: ['$$total', '$$discounted'] } } }",
            "{ price: 10, tax: 0, applyDiscount: true }");

    [Fact]
    public void Let_rejects_an_uppercase_variable_name() =>
        Fails(16867, "{ $let: { vars: { Total: 1 }, in: '$$Total' } }");

    // The manual's $map example: adjusting grades with $$grade.
    [Fact]
    public void Map_applies_in_to_each_element_with_its_as_name() =>
        Evaluates("[ 7, 8, 9 ]", "{ $map: { input: '$quizzes', as: 'grade', in: { $add: ['$$grade', 2] } } }", "{ quizzes: [5, 6, 7] }");

    [Fact]
    public void Map_uses_this_when_as_is_omitted() =>
        Evaluates("[ 2, 4 ]", "{ $map: { input: [1, 2], in: { $multiply: ['$$this', 2] } } }");

    [Fact]
    public void Map_of_null_input_is_null() => Evaluates("null", "{ $map: { input: '$nope', in: 1 } }");

    [Fact]
    public void Map_of_a_non_array_is_an_error() => Fails(16883, "{ $map: { input: 5, in: 1 } }");

    // The manual's $filter example: items with price >= 100.
    [Fact]
    public void Filter_keeps_the_elements_whose_condition_is_true() =>
        Evaluates(
            "[ { item_id: 2, price: 110 }, { item_id: 3, price: 100 } ]",
            "{ $filter: { input: '$items', as: 'item', cond: { $gte: ['$$item.price', 100] } } }",
            "{ items: [ { item_id: 1, price: 10 }, { item_id: 2, price: 110 }, { item_id: 3, price: 100 } ] }");

    [Fact]
    public void Filter_with_limit_stops_after_that_many_matches() =>
        Evaluates("[ 2, 3 ]", "{ $filter: { input: [1, 2, 3, 4], cond: { $gt: ['$$this', 1] }, limit: 2 } }");

    [Fact]
    public void Filter_limit_must_be_positive() =>
        Fails(327392, "{ $filter: { input: [1], cond: true, limit: 0 } }");

    [Fact]
    public void Filter_of_null_input_is_null() => Evaluates("null", "{ $filter: { input: null, cond: true } }");

    // The manual's $reduce examples.
    [Fact]
    public void Reduce_concatenates_strings() =>
        Evaluates(
            "'abcd'",
            "{ $reduce: { input: ['a', 'b', 'c', 'd'], initialValue: '', in: { $concat: ['$$value', '$$this'] } } }");

    [Fact]
    public void Reduce_builds_a_document() =>
        Evaluates(
            "{ sum: 15, product: 48 }",
            "{ $reduce: { input: [1, 2, 3, 4], initialValue: { sum: 5, product: 2 }, in: { sum: { $add: ['$$value.sum', '$$this'] }, product: { $multiply: ['$$value.product', '$$this'] } } } }");

    [Fact]
    public void Reduce_of_an_empty_array_is_the_initial_value() =>
        Evaluates("0", "{ $reduce: { input: [], initialValue: 0, in: 1 } }");

    [Fact]
    public void Reduce_of_a_non_array_is_an_error() => Fails(40080, "{ $reduce: { input: 1, initialValue: 0, in: 1 } }");

    [Fact]
    public void Cond_document_form_picks_then_or_else() =>
        Evaluates("30", "{ $cond: { if: { $gte: ['$qty', 250] }, then: 30, else: 20 } }", "{ qty: 300 }");

    [Fact]
    public void Cond_array_form_picks_else_for_a_false_condition() =>
        Evaluates("20", "{ $cond: [ { $gte: ['$qty', 250] }, 30, 20 ] }", "{ qty: 5 }");

    [Theory]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("NumberLong(0)")]
    [InlineData("NumberDecimal('0')")]
    [InlineData("null")]
    [InlineData("undefined")]
    [InlineData("false")]
    [InlineData("'$nope'")]
    public void Falsy_values_take_the_else_branch(string condition) =>
        Evaluates("'no'", "{ $cond: [ " + condition + ", 'yes', 'no' ] }");

    [Theory]
    [InlineData("''")]
    [InlineData("[]")]
    [InlineData("{ $literal: {} }")]
    [InlineData("-1")]
    [InlineData("'false'")]
    public void Other_values_are_true(string condition) =>
        Evaluates("'yes'", "{ $cond: [ " + condition + ", 'yes', 'no' ] }");

    [Fact]
    public void Cond_without_else_is_an_error() => Fails(17082, "{ $cond: { if: true, then: 1 } }");

    [Fact]
    public void IfNull_returns_the_first_non_null_argument() =>
        Evaluates("'Unspecified'", "{ $ifNull: ['$description', '$quantity', 'Unspecified'] }", "{ description: null }");

    [Fact]
    public void IfNull_returns_a_present_value() =>
        Evaluates("'x'", "{ $ifNull: ['$description', 'Unspecified'] }", "{ description: 'x' }");

    [Fact]
    public void IfNull_returns_the_replacement_even_if_missing() =>
        Missing("{ $ifNull: ['$a', '$b'] }", "{}");

    // The manual's $switch example: a summary from an average score.
    [Fact]
    public void Switch_takes_the_first_true_branch() =>
        Evaluates(
            "'Doing pretty well.'",
            "{ $switch: { branches: [ { case: { $gte: ['$avg', 90] }, then: 'Doing great!' }, { case: { $and: [ { $gte: ['$avg', 80] }, { $lt: ['$avg', 90] } ] }, then: 'Doing pretty well.' } ], default: 'No scores found.' } }",
            "{ avg: 85 }");

    [Fact]
    public void Switch_falls_back_to_default() =>
        Evaluates("'d'", "{ $switch: { branches: [ { case: false, then: 1 } ], default: 'd' } }");

    [Fact]
    public void Switch_without_a_match_or_default_is_an_error() =>
        Fails(40066, "{ $switch: { branches: [ { case: false, then: 1 } ] } }");

    [Fact]
    public void And_is_true_only_when_every_argument_is_true()
    {
        Evaluates("true", "{ $and: [ 1, 'green' ] }");
        Evaluates("false", "{ $and: [ [], null ] }");
        Evaluates("true", "{ $and: [] }");
    }

    [Fact]
    public void Or_is_true_when_any_argument_is_true()
    {
        Evaluates("true", "{ $or: [ 0, true ] }");
        Evaluates("false", "{ $or: [ 0, null, '$nope' ] }");
    }

    [Fact]
    public void Not_negates_truthiness()
    {
        Evaluates("false", "{ $not: [ true ] }");
        Evaluates("true", "{ $not: [ null ] }");
        Evaluates("true", "{ $not: [ 0 ] }");
    }
}
