using PersistentTaskStatus.TestServer.Engine.Aggregation;
using static PersistentTaskStatus.TestServer.Tests.Engine.Aggregation.PipelineRunner;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Aggregation;

// https://www.mongodb.com/docs/manual/reference/operator/aggregation-pipeline/ and, for update pipelines,
// https://www.mongodb.com/docs/manual/tutorial/update-documents-with-aggregation-pipeline/
public sealed class PipelineParseTests
{
    [Fact]
    public void An_unknown_stage_is_rejected()
    {
        var error = Fails(40324, () => AggregationPipeline.Parse(Stages("[ { $foo: {} } ]"), forUpdate: false));
        Assert.Equal("Unrecognized pipeline stage name: '$foo'", error.Message);
    }

    [Fact]
    public void A_stage_must_have_exactly_one_field() =>
        Fails(40323, () => AggregationPipeline.Parse(Stages("[ { $skip: 1, $limit: 1 } ]"), forUpdate: false));

    [Fact]
    public void An_update_pipeline_rejects_other_stages()
    {
        var error = Fails(72, () => AggregationPipeline.Parse(Stages("[ { $group: { _id: null } } ]"), forUpdate: true));
        Assert.Equal("$group is not allowed to be used within an update", error.Message);
    }

    [Fact]
    public void An_update_pipeline_accepts_its_stages() =>
        AggregationPipeline.Parse(
            Stages("[ { $addFields: { a: 1 } }, { $set: { b: 1 } }, { $unset: 'c' }, { $replaceRoot: { newRoot: '$$ROOT' } }, { $replaceWith: '$$ROOT' } ]"),
            forUpdate: true);

    [Fact]
    public void A_stage_that_needs_other_collections_is_not_supported() =>
        Fails(238, () => AggregationPipeline.Parse(Stages("[ { $lookup: { from: 'x', localField: 'a', foreignField: 'b', as: 'c' } } ]"), forUpdate: false));

    [Fact]
    public void An_empty_pipeline_returns_the_input() =>
        Produces(["{ a: 1 }"], Run("[]", "{ a: 1 }"));
}
