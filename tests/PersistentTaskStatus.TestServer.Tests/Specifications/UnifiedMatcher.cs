namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The unified test format's "Evaluating Matches": root-level documents may carry extra fields, nested documents may
/// not, arrays match element by element, numbers (not Decimal128) compare by value across int/long/double, and
/// documents whose only key starts with <c>$$</c> are special operators.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#evaluating-matches
/// </summary>
internal sealed class UnifiedMatcher(EntityMap? entities = null)
{
    /// <summary>Null when <paramref name="actual"/> matches, else where and why it does not.</summary>
    public string? Match(BsonValue expected, BsonValue? actual, bool isRoot, string path = "$")
    {
        if (expected is BsonDocument expectedDocument)
        {
            if (TryGetOperator(expectedDocument, out var name, out var argument))
            {
                return MatchOperator(name, argument, actual, isRoot, path);
            }

            if (actual is not BsonDocument actualDocument)
            {
                return $"{path}: expected a document, got {Describe(actual)}";
            }

            foreach (var element in expectedDocument)
            {
                var childPath = $"{path}.{element.Name}";
                var actualChild = actualDocument.TryGetValue(element.Name, out var found) ? found : null;
                if (element.Value is BsonDocument childDocument && TryGetOperator(childDocument, out var childOperator, out var childArgument))
                {
                    var failure = MatchOperator(childOperator, childArgument, actualChild, isRoot: false, childPath);
                    if (failure is not null)
                    {
                        return failure;
                    }

                    continue;
                }

                if (actualChild is null)
                {
                    return $"{childPath}: expected {element.Value.ToJson()}, but the field is missing";
                }

                var childFailure = Match(element.Value, actualChild, isRoot: false, childPath);
                if (childFailure is not null)
                {
                    return childFailure;
                }
            }

            if (!isRoot)
            {
                var extra = actualDocument.Names.Where(n => !expectedDocument.Contains(n)).ToList();
                if (extra.Count > 0)
                {
                    return $"{path}: unexpected field(s) {string.Join(", ", extra)} in nested document {actualDocument.ToJson()}";
                }
            }

            return null;
        }

        if (expected is BsonArray expectedArray)
        {
            if (actual is not BsonArray actualArray)
            {
                return $"{path}: expected an array, got {Describe(actual)}";
            }

            if (actualArray.Count != expectedArray.Count)
            {
                return $"{path}: expected {expectedArray.Count} element(s) {expectedArray.ToJson()}, got {actualArray.Count} {actualArray.ToJson()}";
            }

            for (var i = 0; i < expectedArray.Count; i++)
            {
                var failure = Match(expectedArray[i], actualArray[i], isRoot: false, $"{path}[{i}]");
                if (failure is not null)
                {
                    return failure;
                }
            }

            return null;
        }

        if (actual is null)
        {
            return $"{path}: expected {expected.ToJson()}, got nothing";
        }

        return ScalarsMatch(expected, actual) ? null : $"{path}: expected {Describe(expected)}, got {Describe(actual)}";
    }

    /// <summary>
    /// Matches an iterable result (find, aggregate, ...): same number of elements, each one a root-level document.
    /// </summary>
    public string? MatchIterable(BsonArray expected, BsonArray actual)
    {
        if (expected.Count != actual.Count)
        {
            return $"$: expected {expected.Count} document(s) {expected.ToJson()}, got {actual.Count} {actual.ToJson()}";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var failure = Match(expected[i], actual[i], isRoot: true, $"$[{i}]");
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    internal static bool TryGetOperator(BsonDocument document, out string name, out BsonValue argument)
    {
        if (document.ElementCount == 1 && document.GetElement(0).Name.StartsWith("$$", StringComparison.Ordinal))
        {
            name = document.GetElement(0).Name;
            argument = document[0];
            return true;
        }

        name = "";
        argument = BsonNull.Value;
        return false;
    }

    private string? MatchOperator(string name, BsonValue argument, BsonValue? actual, bool isRoot, string path)
    {
        switch (name)
        {
            case "$$exists":
                var mustExist = argument.ToBoolean();
                return mustExist == (actual is not null)
                    ? null
                    : $"{path}: expected the field {(mustExist ? "to exist" : "to be absent")}, got {Describe(actual)}";
            case "$$unsetOrMatches":
                // "does not influence whether or not an actual document value is considered a root-level document"
                return actual is null ? null : Match(argument, actual, isRoot, path);
            case "$$type":
                return MatchType(argument, actual, path);
            case "$$lte":
                if (actual is null || !IsFlexibleNumber(actual) || !IsFlexibleNumber(argument))
                {
                    return $"{path}: expected a number <= {argument.ToJson()}, got {Describe(actual)}";
                }

                return actual.ToDouble() <= argument.ToDouble() ? null : $"{path}: expected <= {argument.ToJson()}, got {Describe(actual)}";
            case "$$matchesEntity":
                var entity = RequireEntities().Get<BsonValue>(argument.AsString);
                return Match(entity, actual, isRoot, path);
            case "$$sessionLsid":
                var lsid = RequireEntities().SessionLsid(argument.AsString);
                return actual is not null && actual.Equals(lsid) ? null : $"{path}: expected the lsid {lsid.ToJson()} of {argument.AsString}, got {Describe(actual)}";
            case "$$matchAsRoot":
                return Match(argument, actual, isRoot: true, path);
            case "$$matchAsDocument":
                if (actual is not BsonString json)
                {
                    return $"{path}: expected an extended JSON string, got {Describe(actual)}";
                }

                return Match(argument, BsonDocument.Parse(json.Value), isRoot: false, path);
            default:
                throw new NotSupportedException($"The special operator {name} (at {path}) is not supported by this runner.");
        }
    }

    private static string? MatchType(BsonValue argument, BsonValue? actual, string path)
    {
        var names = argument is BsonArray array ? array.Select(v => v.AsString).ToList() : [argument.AsString];
        if (actual is null)
        {
            return $"{path}: expected a value of type {string.Join("|", names)}, but the field is missing";
        }

        return names.Any(n => BsonTypeNames.Matches(n, actual.BsonType))
            ? null
            : $"{path}: expected type {string.Join("|", names)}, got {Describe(actual)}";
    }

    private EntityMap RequireEntities() =>
        entities ?? throw new InvalidOperationException("This match needs the entity map, and none was given.");

    private static bool ScalarsMatch(BsonValue expected, BsonValue actual)
    {
        if (IsFlexibleNumber(expected) && IsFlexibleNumber(actual))
        {
            if (expected.BsonType != BsonType.Double && actual.BsonType != BsonType.Double)
            {
                return expected.ToInt64() == actual.ToInt64();
            }

            return expected.ToDouble().Equals(actual.ToDouble());
        }

        return expected.BsonType == actual.BsonType && expected.Equals(actual);
    }

    /// <summary>"32-bit, 64-bit, and floating point numbers" — Decimal128 is excluded by the spec.</summary>
    private static bool IsFlexibleNumber(BsonValue value) =>
        value.BsonType is BsonType.Int32 or BsonType.Int64 or BsonType.Double;

    internal static string Describe(BsonValue? value) =>
        value is null ? "nothing (missing)" : $"{value.ToJson()} ({value.BsonType})";
}
