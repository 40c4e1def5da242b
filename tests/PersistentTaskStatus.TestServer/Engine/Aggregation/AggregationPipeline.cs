using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Versions;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>
/// A parsed aggregation pipeline of the stages that work on the documents they are given
/// (https://www.mongodb.com/docs/manual/reference/operator/aggregation-pipeline/). Stages that read other
/// collections or the change log are the command layer's.
/// </summary>
internal sealed class AggregationPipeline
{
    // The stages an update may use (https://www.mongodb.com/docs/manual/tutorial/update-documents-with-aggregation-pipeline/).
    private static readonly HashSet<string> UpdateStages =
        ["$addFields", "$set", "$project", "$unset", "$replaceRoot", "$replaceWith"];

    // Stages MongoDB knows that this server does not run.
    private static readonly HashSet<string> UnsupportedStages =
    [
        "$bucket", "$bucketAuto", "$changeStream", "$changeStreamSplitLargeEvent", "$collStats", "$currentOp",
        "$densify", "$documents", "$facet", "$fill", "$geoNear", "$graphLookup", "$indexStats", "$listLocalSessions",
        "$listSampledQueries", "$listSearchIndexes", "$listSessions", "$lookup", "$merge", "$out", "$planCacheStats",
        "$redact", "$sample", "$search", "$searchMeta", "$setWindowFields", "$shardedDataDistribution", "$sortByCount",
        "$unionWith", "$vectorSearch",
    ];

    private readonly IReadOnlyList<PipelineStage> _stages;

    private AggregationPipeline(IReadOnlyList<PipelineStage> stages)
    {
        _stages = stages;
    }

    /// <summary>
    /// Parses and validates the stages. With <paramref name="forUpdate"/> only the stages that an update may use are
    /// accepted (<c>$addFields</c>/<c>$set</c>, <c>$project</c>/<c>$unset</c>, <c>$replaceRoot</c>/<c>$replaceWith</c>).
    /// </summary>
    public static AggregationPipeline Parse(BsonArray stages, bool forUpdate)
    {
        var parsed = new List<PipelineStage>(stages.Count);
        foreach (var stage in stages)
        {
            if (stage is not BsonDocument document)
            {
                throw MongoServerException.TypeMismatch("Each element of the 'pipeline' array must be an object");
            }

            if (document.ElementCount != 1)
            {
                throw new MongoServerException(ErrorCode.Location40323, "A pipeline stage specification object must contain exactly one field.");
            }

            var element = document.GetElement(0);
            var name = element.Name;
            var known = UpdateStages.Contains(name) || UnsupportedStages.Contains(name) ||
                name is "$match" or "$sort" or "$skip" or "$limit" or "$count" or "$group" or "$unwind";
            if (!known || !FeatureGate.KnowsStage(name))
            {
                throw new MongoServerException(ErrorCode.Location40324, $"Unrecognized pipeline stage name: '{name}'");
            }

            if (forUpdate && !UpdateStages.Contains(name))
            {
                throw new MongoServerException(ErrorCode.InvalidOptions, $"{name} is not allowed to be used within an update");
            }

            parsed.Add(ParseStage(name, element.Value));
        }

        return new AggregationPipeline(parsed);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, ExpressionContext context)
    {
        var current = input;
        foreach (var stage in _stages)
        {
            current = stage.Execute(current, context);
        }

        return current;
    }

    private static PipelineStage ParseStage(string name, BsonValue spec) => name switch
    {
        "$match" => SimpleStages.Match(spec),
        "$project" => SimpleStages.Project(spec),
        "$sort" => SimpleStages.Sort(spec),
        "$skip" => SimpleStages.Skip(spec),
        "$limit" => SimpleStages.Limit(spec),
        "$count" => SimpleStages.Count(spec),
        "$addFields" or "$set" => AddFieldsStage.Parse(name, spec),
        "$unset" => UnsetStage.Parse(spec),
        "$group" => GroupStage.Parse(spec),
        "$unwind" => UnwindStage.Parse(spec),
        "$replaceRoot" or "$replaceWith" => ReplaceRootStage.Parse(name, spec),
        _ => throw MongoServerException.NotSupported($"The aggregation stage {name}"),
    };
}
