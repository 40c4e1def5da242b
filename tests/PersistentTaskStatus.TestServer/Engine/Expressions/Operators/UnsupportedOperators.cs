namespace PersistentTaskStatus.TestServer.Engine.Expressions.Operators;

/// <summary>
/// Expression operators MongoDB has that this server does not evaluate: they fail with NotSupported rather than
/// with "Unrecognized expression", which would claim MongoDB does not know them.
/// </summary>
internal static class UnsupportedOperators
{
    private static readonly string[] Names =
    [
        "$acos", "$acosh", "$asin", "$asinh", "$atan", "$atan2", "$atanh", "$cos", "$cosh", "$sin", "$sinh", "$tan",
        "$tanh", "$degreesToRadians", "$radiansToDegrees", "$exp", "$ln", "$log", "$log10", "$pow", "$sqrt",
        "$bitAnd", "$bitOr", "$bitXor", "$bitNot", "$binarySize", "$bsonSize", "$function", "$accumulator",
        "$arrayToObject", "$objectToArray", "$zip", "$sortArray", "$maxN", "$minN", "$firstN", "$lastN",
        "$dateAdd", "$dateDiff", "$dateFromParts", "$dateFromString", "$dateSubtract", "$dateToParts",
        "$dateToString", "$dateTrunc", "$dayOfMonth", "$dayOfWeek", "$dayOfYear", "$hour", "$isoDayOfWeek",
        "$isoWeek", "$isoWeekYear", "$millisecond", "$minute", "$month", "$second", "$week", "$year",
        "$indexOfBytes", "$indexOfCP", "$ltrim", "$rtrim", "$trim", "$regexFind", "$regexFindAll", "$regexMatch",
        "$replaceOne", "$replaceAll", "$split", "$strcasecmp", "$substr", "$substrBytes", "$isNumber",
        "$rand", "$sampleRate", "$stdDevPop", "$stdDevSamp", "$median", "$percentile",
        "$tsIncrement", "$tsSecond", "$meta", "$toHashedIndexKey",
    ];

    public static void Register(Dictionary<string, OperatorParser> table)
    {
        foreach (var name in Names)
        {
            table.TryAdd(name, (operatorName, _) => throw MongoServerException.NotSupported($"The expression operator {operatorName}"));
        }
    }
}
