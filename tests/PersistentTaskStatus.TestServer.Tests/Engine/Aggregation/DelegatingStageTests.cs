using static PersistentTaskStatus.TestServer.Tests.Engine.Aggregation.PipelineRunner;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Aggregation;

// $match, $project and $sort run on the query, projection and sort engines; these tests pass once those are in place.
// https://www.mongodb.com/docs/manual/reference/operator/aggregation/match/, .../project/, .../sort/
public sealed class DelegatingStageTests
{
    [Fact]
    public void Match_keeps_matching_documents() =>
        Produces(
            ["{ _id: 1, author: 'dave', score: 80 }", "{ _id: 2, author: 'dave', score: 85 }"],
            Run("[ { $match: { author: 'dave' } } ]", "{ _id: 1, author: 'dave', score: 80 }", "{ _id: 2, author: 'dave', score: 85 }", "{ _id: 3, author: 'ahn', score: 60 }"));

    [Fact]
    public void Match_then_group_counts() =>
        Produces(
            ["{ _id: null, count: NumberInt(2) }"],
            Run("[ { $match: { score: { $gt: 70 } } }, { $group: { _id: null, count: { $sum: 1 } } } ]", "{ score: 80 }", "{ score: 85 }", "{ score: 60 }"));

    [Fact]
    public void Project_includes_fields_and_computes_new_ones() =>
        Produces(
            ["{ _id: 1, title: 'abc123', lastName: 'ZZZ' }"],
            Run("[ { $project: { title: 1, lastName: '$author.last' } } ]", "{ _id: 1, title: 'abc123', isbn: '0001122223334', author: { last: 'ZZZ', first: 'aaa' } }"));

    [Fact]
    public void Sort_orders_documents() =>
        Produces(
            ["{ n: 1 }", "{ n: 2 }", "{ n: 3 }"],
            Run("[ { $sort: { n: 1 } } ]", "{ n: 3 }", "{ n: 1 }", "{ n: 2 }"));
}
