using MongoDB.Driver;
using DriverServerException = MongoDB.Driver.MongoServerException;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// <c>expectError</c>: checks a driver exception against isError, isClientError, errorContains, errorCode,
/// errorCodeName, errorLabelsContain/Omit, errorResponse and expectResult (the partial result of a bulk write).
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#expectederror
/// </summary>
internal static class ExpectedErrorAssertion
{
    /// <summary>Null when <paramref name="error"/> is the expected one, else why not.</summary>
    public static string? Check(BsonDocument expected, Exception error, UnifiedMatcher matcher)
    {
        var failures = new List<string>();
        foreach (var element in expected)
        {
            var failure = element.Name switch
            {
                "isError" => element.Value.AsBoolean ? null : "isError: false is not allowed by the spec",
                "isClientError" => CheckClientError(element.Value.AsBoolean, error),
                "errorContains" => Message(error).Contains(element.Value.AsString, StringComparison.OrdinalIgnoreCase)
                    ? null
                    : $"errorContains: '{element.Value.AsString}' is not in the message '{Message(error)}'",
                "errorCode" => Code(error) == element.Value.ToInt32()
                    ? null
                    : $"errorCode: expected {element.Value.ToInt32()}, got {Code(error)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no server code"}",
                "errorCodeName" => string.Equals(CodeName(error), element.Value.AsString, StringComparison.OrdinalIgnoreCase)
                    ? null
                    : $"errorCodeName: expected {element.Value.AsString}, got {CodeName(error) ?? "no code name"}",
                "errorLabelsContain" => CheckLabels(element.Value.AsBsonArray, error, mustHave: true),
                "errorLabelsOmit" => CheckLabels(element.Value.AsBsonArray, error, mustHave: false),
                "errorResponse" => CheckResponse(element.Value.AsBsonDocument, error, matcher),
                "expectResult" => CheckResult(element.Value, error, matcher),
                _ => throw new NotSupportedException($"The runner does not support expectError.{element.Name}."),
            };
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        return failures.Count == 0 ? null : $"{string.Join("; ", failures)} — the error was {error.GetType().Name}: {error.Message}";
    }

    private static string? CheckClientError(bool expectClient, Exception error)
    {
        var isClient = error is not DriverServerException;
        return isClient == expectClient ? null : $"isClientError: expected {expectClient}, got a {(isClient ? "client" : "server")} error";
    }

    private static string? CheckLabels(BsonArray labels, Exception error, bool mustHave)
    {
        var mongo = error as MongoException;
        var wrong = labels.Select(l => l.AsString).Where(l => (mongo?.HasErrorLabel(l) ?? false) != mustHave).ToList();
        if (wrong.Count == 0)
        {
            return null;
        }

        var present = mongo is null ? "none" : string.Join(", ", mongo.ErrorLabels);
        return $"{(mustHave ? "errorLabelsContain: missing" : "errorLabelsOmit: present")} {string.Join(", ", wrong)} (labels: {present})";
    }

    private static string? CheckResponse(BsonDocument expected, Exception error, UnifiedMatcher matcher)
    {
        var response = Response(error);
        if (response is null)
        {
            return $"errorResponse: the {error.GetType().Name} carries no server response";
        }

        var failure = matcher.Match(expected, response, isRoot: true);
        return failure is null ? null : $"errorResponse: {failure} in {response.ToJson()}";
    }

    private static string? CheckResult(BsonValue expected, Exception error, UnifiedMatcher matcher)
    {
        BsonValue? result = error is MongoBulkWriteException<BsonDocument> bulk ? BulkWriteOperation.ResultDocument(bulk.Result) : null;
        if (result is null)
        {
            return $"expectResult: the {error.GetType().Name} carries no result";
        }

        var failure = matcher.Match(expected, result, isRoot: true);
        return failure is null ? null : $"expectResult: {failure}";
    }

    private static string Message(Exception error)
    {
        var parts = new List<string> { error.Message };
        switch (error)
        {
            case MongoBulkWriteException bulk:
                parts.AddRange(bulk.WriteErrors.Select(e => e.Message));
                if (bulk.WriteConcernError is not null)
                {
                    parts.Add(bulk.WriteConcernError.Message);
                }

                break;
            case MongoWriteException write when write.WriteError is not null:
                parts.Add(write.WriteError.Message);
                break;
        }

        return string.Join(" | ", parts);
    }

    private static int? Code(Exception error) => error switch
    {
        MongoCommandException command => command.Code,
        MongoWriteException { WriteError: { } writeError } => writeError.Code,
        MongoWriteException { WriteConcernError: { } concernError } => concernError.Code,
        MongoBulkWriteException bulk when bulk.WriteErrors.Count > 0 => bulk.WriteErrors[0].Code,
        MongoBulkWriteException { WriteConcernError: { } concernError } => concernError.Code,
        _ => null,
    };

    private static string? CodeName(Exception error) => error switch
    {
        MongoCommandException command => command.CodeName,
        MongoWriteException { WriteError: null, WriteConcernError: { } concernError } => concernError.CodeName,
        MongoBulkWriteException { WriteErrors.Count: 0, WriteConcernError: { } concernError } => concernError.CodeName,
        _ => null,
    };

    /// <summary>
    /// The server's reply: a command error keeps it whole; a single write error is rebuilt from its fields (the driver
    /// keeps code, errmsg and errInfo of it).
    /// </summary>
    private static BsonDocument? Response(Exception error) => error switch
    {
        MongoCommandException command => command.Result,
        MongoWriteException { WriteError: { } writeError } => new BsonDocument
        {
            { "code", writeError.Code },
            { "errmsg", writeError.Message },
            { "errInfo", writeError.Details, writeError.Details is not null },
        },
        _ => null,
    };
}
