namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// <c>expectEvents</c> for command events: the same number of events in the same order (unless
/// <c>ignoreExtraEvents</c>), the command of a started event matched as a root-level document, the reply of a succeeded
/// one likewise.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#expectedeventsforclient
/// </summary>
internal static class ExpectedEvents
{
    public static string? Check(BsonArray expectations, EntityMap entities, UnifiedMatcher matcher)
    {
        foreach (var expectation in expectations.Select(e => e.AsBsonDocument))
        {
            var clientName = expectation["client"].AsString;
            var eventType = expectation.GetValue("eventType", "command").AsString;
            if (eventType != "command")
            {
                throw new NotSupportedException($"The runner does not observe {eventType} events.");
            }

            var expected = expectation["events"].AsBsonArray;
            var actual = entities.Get<ClientEntity>(clientName).Events;
            var ignoreExtra = expectation.GetValue("ignoreExtraEvents", false).AsBoolean;
            if (ignoreExtra ? actual.Count < expected.Count : actual.Count != expected.Count)
            {
                return $"client {clientName}: expected {expected.Count} command event(s), observed {actual.Count}: {Summary(actual)}";
            }

            for (var i = 0; i < expected.Count; i++)
            {
                var failure = CheckOne(expected[i].AsBsonDocument, actual[i], matcher);
                if (failure is not null)
                {
                    return $"client {clientName}, event {i}: {failure}; observed: {Summary(actual)}";
                }
            }
        }

        return null;
    }

    private static string? CheckOne(BsonDocument expected, BsonDocument actual, UnifiedMatcher matcher)
    {
        var type = expected.GetElement(0).Name;
        if (actual.GetElement(0).Name != type)
        {
            return $"expected a {type}, observed a {actual.GetElement(0).Name} for {actual[0]["commandName"]}";
        }

        var actualBody = actual[0].AsBsonDocument;
        foreach (var field in expected[0].AsBsonDocument)
        {
            var failure = field.Name switch
            {
                "command" or "reply" => matcher.Match(field.Value, actualBody[field.Name], isRoot: true, $"${field.Name}"),
                "commandName" or "databaseName" => matcher.Match(field.Value, actualBody[field.Name], isRoot: false, $"${field.Name}"),
                _ => throw new NotSupportedException($"The runner does not check {type}.{field.Name}."),
            };
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private static string Summary(IReadOnlyList<BsonDocument> events) =>
        string.Join(", ", events.Select(e => e[0].AsBsonDocument.Contains("command") ? e[0]["command"].ToJson() : $"{e.GetElement(0).Name} {e[0]["commandName"]}"));
}
