namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The runner's other rules from the unified test format: outcome data compared exactly ("Executing a Test"),
/// runOnRequirements and version strings ("runOnRequirement"), schemaVersion compatibility ("Test Runner Support"),
/// and the bookkeeping of the known-gaps list.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md
/// </summary>
public sealed class RunnerRulesTests
{
    private static readonly ServerInfo Server70ReplicaSet = new("7.0.0", "replicaset");

    [Fact]
    public void Outcome_does_not_take_an_int32_for_a_double() =>
        Assert.NotNull(ExactDataComparer.CompareCollection([BsonDocument.Parse("{ _id: 1, x: 1 }")], [BsonDocument.Parse("{ _id: 1, x: 1.0 }")]));

    [Fact]
    public void Outcome_does_not_take_an_int32_for_an_int64() =>
        Assert.NotNull(ExactDataComparer.CompareCollection([BsonDocument.Parse("{ _id: 1, x: 1 }")], [BsonDocument.Parse("{ _id: 1, x: NumberLong(1) }")]));

    [Fact]
    public void Outcome_does_not_allow_extra_fields_even_at_the_root() =>
        Assert.NotNull(ExactDataComparer.CompareCollection([BsonDocument.Parse("{ _id: 1 }")], [BsonDocument.Parse("{ _id: 1, x: 1 }")]));

    [Fact]
    public void Outcome_permits_another_key_order() =>
        Assert.Null(ExactDataComparer.CompareCollection([BsonDocument.Parse("{ _id: 1, x: { a: 1, b: 2 } }")], [BsonDocument.Parse("{ x: { b: 2, a: 1 }, _id: 1 }")]));

    [Fact]
    public void Outcome_does_not_interpret_special_operators() =>
        Assert.NotNull(ExactDataComparer.CompareCollection([BsonDocument.Parse("{ _id: 1, x: { $$exists: true } }")], [BsonDocument.Parse("{ _id: 1, x: 1 }")]));

    [Fact]
    public void Outcome_requires_the_same_number_of_documents() =>
        Assert.NotNull(ExactDataComparer.CompareCollection([BsonDocument.Parse("{ _id: 1 }")], []));

    [Fact]
    public void Version_components_compare_numerically()
    {
        Assert.True(RunOnRequirements.CompareVersions("4.0.10", "4.0.9") > 0);
        Assert.True(RunOnRequirements.CompareVersions("4.0.10", "3.6") > 0);
        Assert.True(RunOnRequirements.CompareVersions("4.0.10", "4.2.0") < 0);
        Assert.Equal(0, RunOnRequirements.CompareVersions("4.4", "4.4.0"));
    }

    [Fact]
    public void A_minimum_version_above_the_server_is_unmet() =>
        Assert.NotNull(RunOnRequirements.Unmet(Requirements("[ { minServerVersion: '8.0' } ]"), Server70ReplicaSet));

    [Fact]
    public void A_maximum_version_below_the_server_is_unmet() =>
        Assert.NotNull(RunOnRequirements.Unmet(Requirements("[ { maxServerVersion: '4.2.99' } ]"), Server70ReplicaSet));

    [Fact]
    public void Any_one_met_requirement_is_enough() =>
        Assert.Null(RunOnRequirements.Unmet(Requirements("[ { minServerVersion: '4.2.0', topologies: [ 'sharded' ] }, { minServerVersion: '4.0.0', topologies: [ 'single', 'replicaset' ] } ]"), Server70ReplicaSet));

    [Fact]
    public void Another_topology_is_unmet() =>
        Assert.NotNull(RunOnRequirements.Unmet(Requirements("[ { topologies: [ 'single' ] } ]"), Server70ReplicaSet));

    [Fact]
    public void Forbidding_serverless_is_met_by_a_server_that_is_not_serverless() =>
        Assert.Null(RunOnRequirements.Unmet(Requirements("[ { serverless: 'forbid' } ]"), Server70ReplicaSet));

    [Fact]
    public void Server_parameters_are_unmet_with_a_reason() =>
        Assert.Contains("server parameters", RunOnRequirements.Unmet(Requirements("[ { serverParameters: { enableTestCommands: true } } ]"), Server70ReplicaSet), StringComparison.Ordinal);

    [Fact]
    public void A_schema_version_of_a_newer_minor_or_another_major_is_refused()
    {
        UnifiedTestRunner.CheckSchemaVersion("1.0");
        UnifiedTestRunner.CheckSchemaVersion("1.12");
        Assert.Throws<NotSupportedException>(() => UnifiedTestRunner.CheckSchemaVersion("1.99"));
        Assert.Throws<NotSupportedException>(() => UnifiedTestRunner.CheckSchemaVersion("2.0"));
    }

    [Fact]
    public void An_unknown_operation_fails_instead_of_being_skipped()
    {
        var file = BsonDocument.Parse("{ createEntities: [ { client: { id: 'client0' } } ] }");
        var test = BsonDocument.Parse("{ operations: [ { name: 'listSearchIndexes', object: 'client0' } ] }");

        Assert.Throws<NotSupportedException>(() => OperationCatalog.ThrowIfAnyUnknown(file, test));
    }

    [Fact]
    public void An_unread_argument_fails_the_operation()
    {
        var args = new OperationArguments("find", BsonDocument.Parse("{ filter: { }, session: 'session0' }"));
        args.RequiredDocument("filter");

        Assert.Throws<NotSupportedException>(args.ThrowIfAnyUnread);
    }

    [Fact]
    public void Every_known_gap_names_an_existing_file_or_test()
    {
        var root = SpecificationCatalog.Directory();
        if (!Directory.Exists(root))
        {
            Assert.Skip($"The spec tests are absent ({root}).");
        }

        var cases = new[] { "crud", "retryable-writes", "change-streams" }
            .SelectMany(f => SpecificationCatalog.Cases(f).Select(row => row.Data))
            .ToHashSet(StringComparer.Ordinal);
        var stale = KnownServerGaps.Entries.Keys
            .Where(key => !cases.Contains(key) && !cases.Any(c => c.StartsWith(key + ": ", StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(stale);
    }

    private static BsonArray Requirements(string json) => BsonDocument.Parse($"{{ r: {json} }}")["r"].AsBsonArray;
}
