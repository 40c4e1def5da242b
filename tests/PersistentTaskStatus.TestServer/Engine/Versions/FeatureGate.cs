namespace PersistentTaskStatus.TestServer.Engine.Versions;

/// <summary>
/// What a release knows: the expression operators, stages and accumulators that came after 4.4, each with the
/// release that introduced it (MongoDB's manual, "New in version ..." on each operator's page). A command runs with
/// the version the server presents (<see cref="Use"/>); an older release answers as MongoDB's parsers do for a name
/// they do not have: 168 "Unrecognized expression", 40324 "Unrecognized pipeline stage name", 15952 "unknown group
/// operator". These gates follow the binary's version, not the featureCompatibilityVersion: MongoDB checks the
/// featureCompatibilityVersion only where a definition is persisted (validators and views), not in ordinary
/// commands (<c>expCtx->maxFeatureCompatibilityVersion</c> is set only there).
/// </summary>
internal static class FeatureGate
{
    private static readonly ServerVersion V44 = new(4, 4, 0);
    private static readonly ServerVersion V442 = new(4, 4, 2);
    private static readonly ServerVersion V50 = new(5, 0, 0);
    private static readonly ServerVersion V51 = new(5, 1, 0);
    private static readonly ServerVersion V52 = new(5, 2, 0);
    private static readonly ServerVersion V53 = new(5, 3, 0);
    private static readonly ServerVersion V63 = new(6, 3, 0);
    private static readonly ServerVersion V70 = new(7, 0, 0);

    private static readonly Dictionary<string, ServerVersion> Expressions = new(StringComparer.Ordinal)
    {
        ["$first"] = V44,
        ["$last"] = V44,
        ["$bsonSize"] = V44,
        ["$binarySize"] = V44,
        ["$isNumber"] = V44,
        ["$replaceOne"] = V44,
        ["$replaceAll"] = V44,
        ["$function"] = V44,
        ["$accumulator"] = V44,
        ["$rand"] = V442,
        ["$getField"] = V50,
        ["$setField"] = V50,
        ["$unsetField"] = V50,
        ["$dateAdd"] = V50,
        ["$dateDiff"] = V50,
        ["$dateSubtract"] = V50,
        ["$dateTrunc"] = V50,
        ["$tsIncrement"] = V51,
        ["$tsSecond"] = V51,
        ["$sortArray"] = V52,
        ["$maxN"] = V52,
        ["$minN"] = V52,
        ["$firstN"] = V52,
        ["$lastN"] = V52,
        ["$bitAnd"] = V63,
        ["$bitOr"] = V63,
        ["$bitXor"] = V63,
        ["$bitNot"] = V63,
        ["$median"] = V70,
        ["$percentile"] = V70,
    };

    private static readonly Dictionary<string, ServerVersion> Stages = new(StringComparer.Ordinal)
    {
        ["$unionWith"] = V44,
        ["$setWindowFields"] = V50,
        ["$densify"] = V51,
        ["$documents"] = V51,
        ["$fill"] = V53,
        ["$changeStreamSplitLargeEvent"] = V70,
    };

    private static readonly Dictionary<string, ServerVersion> Accumulators = new(StringComparer.Ordinal)
    {
        ["$accumulator"] = V44,
        ["$count"] = V50,
        ["$bottom"] = V52,
        ["$bottomN"] = V52,
        ["$top"] = V52,
        ["$topN"] = V52,
        ["$firstN"] = V52,
        ["$lastN"] = V52,
        ["$maxN"] = V52,
        ["$minN"] = V52,
        ["$median"] = V70,
        ["$percentile"] = V70,
    };

    [ThreadStatic]
    private static ServerVersion? current;

    /// <summary>The release the running command sees; outside a command every gate is open.</summary>
    public static ServerVersion Current => current ?? ServerVersion.Latest;

    /// <summary>Runs the commands of this thread as <paramref name="version"/> until the scope is disposed.</summary>
    public static Scope Use(ServerVersion version)
    {
        var previous = current;
        current = version;
        return new Scope(previous);
    }

    /// <summary>Whether the current release knows the expression operator (true for names no gate covers).</summary>
    public static bool KnowsExpression(string name) => Knows(Expressions, name);

    public static bool KnowsStage(string name) => Knows(Stages, name);

    public static bool KnowsAccumulator(string name) => Knows(Accumulators, name);

    private static bool Knows(Dictionary<string, ServerVersion> introduced, string name) =>
        !introduced.TryGetValue(name, out var since) || Current >= since;

    public readonly struct Scope(ServerVersion? previous) : IDisposable
    {
        public void Dispose() => current = previous;
    }
}
