namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The runner's own matching rules, each from the unified test format's "Evaluating Matches" section and its examples.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#evaluating-matches
/// </summary>
public sealed class UnifiedMatcherTests
{
    private readonly UnifiedMatcher matcher = new();

    private string? Match(string expected, string actual, bool isRoot = true) =>
        matcher.Match(BsonDocument.Parse(expected), BsonDocument.Parse(actual), isRoot);

    [Fact]
    public void A_root_document_may_have_extra_fields() => Assert.Null(Match("{ x: 1 }", "{ x: 1, y: 1 }"));

    [Fact]
    public void A_root_document_must_have_every_expected_field() => Assert.NotNull(Match("{ x: 1, y: 1 }", "{ x: 1 }"));

    [Fact]
    public void A_nested_document_may_not_have_extra_fields() => Assert.NotNull(Match("{ x: { y: 1 } }", "{ x: { y: 1, z: 1 } }"));

    [Fact]
    public void A_non_root_document_may_not_have_extra_fields() => Assert.NotNull(Match("{ x: 1 }", "{ x: 1, y: 1 }", isRoot: false));

    [Fact]
    public void Key_order_does_not_matter() => Assert.Null(Match("{ x: 1, y: 1 }", "{ y: 1, x: 1 }"));

    [Fact]
    public void Arrays_must_have_the_same_number_of_elements() =>
        Assert.NotNull(matcher.Match(new BsonArray { 1, 2, 3 }, new BsonArray { 1, 2, 3, 4 }, isRoot: true));

    [Fact]
    public void Array_elements_match_in_order() =>
        Assert.NotNull(matcher.Match(new BsonArray { 1, 2 }, new BsonArray { 2, 1 }, isRoot: true));

    [Fact]
    public void Documents_in_an_array_value_are_not_root_documents() =>
        Assert.NotNull(Match("{ a: [ { x: 1 } ] }", "{ a: [ { x: 1, y: 1 } ] }"));

    [Fact]
    public void Documents_of_an_iterable_result_are_root_documents()
    {
        var expected = new BsonArray { BsonDocument.Parse("{ x: 1 }"), BsonDocument.Parse("{ x: 2 }") };
        var actual = new BsonArray { BsonDocument.Parse("{ x: 1, y: 1 }"), BsonDocument.Parse("{ x: 2, y: 2 }") };

        Assert.Null(matcher.MatchIterable(expected, actual));
        Assert.NotNull(matcher.Match(expected, actual, isRoot: true));
    }

    [Fact]
    public void Numbers_match_across_int_long_and_double_by_value()
    {
        Assert.Null(matcher.Match(new BsonInt32(1), new BsonDouble(1.0), isRoot: true));
        Assert.Null(matcher.Match(new BsonInt32(3), new BsonInt64(3), isRoot: true));
        Assert.NotNull(matcher.Match(new BsonInt32(1), new BsonDouble(1.5), isRoot: true));
    }

    [Fact]
    public void Decimal128_is_not_a_flexible_number() =>
        Assert.NotNull(matcher.Match(new BsonInt32(1), new BsonDecimal128(1m), isRoot: true));

    [Fact]
    public void Other_types_must_be_the_same() =>
        Assert.NotNull(matcher.Match(new BsonString("1"), new BsonInt32(1), isRoot: true));

    [Fact]
    public void Exists_true_accepts_any_value_even_null() => Assert.Null(Match("{ x: { $$exists: true } }", "{ x: null }"));

    [Fact]
    public void Exists_true_rejects_a_missing_field() => Assert.NotNull(Match("{ x: { $$exists: true } }", "{ y: 1 }"));

    [Fact]
    public void Exists_false_rejects_a_present_field() => Assert.NotNull(Match("{ x: { $$exists: false } }", "{ x: 1 }"));

    [Fact]
    public void Exists_false_accepts_a_missing_field() => Assert.Null(Match("{ x: { $$exists: false } }", "{ y: 1 }"));

    [Fact]
    public void UnsetOrMatches_accepts_a_missing_field() => Assert.Null(Match("{ insertedId: { $$unsetOrMatches: 2 } }", "{ }"));

    [Fact]
    public void UnsetOrMatches_rejects_a_different_value() => Assert.NotNull(Match("{ insertedId: { $$unsetOrMatches: 2 } }", "{ insertedId: 3 }"));

    [Fact]
    public void UnsetOrMatches_of_a_whole_result_accepts_no_result() =>
        Assert.Null(matcher.Match(BsonDocument.Parse("{ $$unsetOrMatches: { insertedId: 1 } }"), null, isRoot: true));

    [Fact]
    public void UnsetOrMatches_keeps_a_root_document_root() =>
        Assert.Null(matcher.Match(BsonDocument.Parse("{ $$unsetOrMatches: { insertedId: 1 } }"), BsonDocument.Parse("{ insertedId: 1, extra: 1 }"), isRoot: true));

    [Fact]
    public void UnsetOrMatches_keeps_a_nested_document_nested() =>
        Assert.NotNull(Match("{ ids: { $$unsetOrMatches: { '0': 3 } } }", "{ ids: { '0': 3, '1': 4 } }"));

    [Fact]
    public void UnsetOrMatches_of_an_empty_document_rejects_a_non_empty_one() =>
        Assert.NotNull(Match("{ insertedIds: { $$unsetOrMatches: { } } }", "{ insertedIds: { '0': 3 } }"));

    [Fact]
    public void Type_accepts_one_of_several_types() => Assert.Null(Match("{ n: { $$type: [ 'int', 'long' ] } }", "{ n: NumberLong(5) }"));

    [Fact]
    public void Type_rejects_another_type() => Assert.NotNull(Match("{ n: { $$type: 'string' } }", "{ n: 5 }"));

    [Fact]
    public void Type_requires_the_field() => Assert.NotNull(Match("{ n: { $$type: 'int' } }", "{ }"));

    [Fact]
    public void Type_looks_at_an_array_not_its_elements() => Assert.Null(Match("{ a: { $$type: 'array' } }", "{ a: [ 1 ] }"));

    [Fact]
    public void Lte_compares_numbers_flexibly()
    {
        Assert.Null(Match("{ n: { $$lte: 1 } }", "{ n: 1.0 }"));
        Assert.Null(Match("{ n: { $$lte: 1 } }", "{ n: 0.0 }"));
        Assert.NotNull(Match("{ n: { $$lte: 1 } }", "{ n: 1.1 }"));
    }

    [Fact]
    public void MatchesEntity_matches_the_saved_value()
    {
        var entities = new EntityMap();
        entities.Add("id0", new BsonInt32(7));
        var withEntities = new UnifiedMatcher(entities);

        Assert.Null(withEntities.Match(BsonDocument.Parse("{ _id: { $$matchesEntity: 'id0' } }"), BsonDocument.Parse("{ _id: 7 }"), isRoot: true));
        Assert.NotNull(withEntities.Match(BsonDocument.Parse("{ _id: { $$matchesEntity: 'id0' } }"), BsonDocument.Parse("{ _id: 8 }"), isRoot: true));
    }

    [Fact]
    public void MatchesEntity_of_an_undefined_entity_is_an_error() =>
        Assert.Throws<InvalidOperationException>(() =>
            new UnifiedMatcher(new EntityMap()).Match(BsonDocument.Parse("{ $$matchesEntity: 'nope' }"), new BsonInt32(1), isRoot: true));

    [Fact]
    public void An_unknown_special_operator_is_an_error_not_a_match() =>
        Assert.Throws<NotSupportedException>(() => Match("{ x: { $$nonsense: 1 } }", "{ x: 1 }"));

    [Fact]
    public void A_null_result_matches_an_expected_null() =>
        Assert.Null(matcher.Match(BsonNull.Value, BsonNull.Value, isRoot: true));
}
