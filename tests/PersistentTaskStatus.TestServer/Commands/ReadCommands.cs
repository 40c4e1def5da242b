using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Aggregation;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Projection;
using PersistentTaskStatus.TestServer.Engine.Query;
using PersistentTaskStatus.TestServer.Storage;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>find, count, distinct and aggregate.</summary>
internal sealed partial class CommandDispatcher
{
    private void RegisterReadCommands()
    {
        Register("find", Find);
        Register("count", Count);
        Register("distinct", Distinct);
        Register("aggregate", Aggregate);
    }

    private BsonDocument Find(CommandRequest request)
    {
        var command = request.Command;
        var name = CommandArguments.CollectionName(request);
        CommandArguments.RejectUnsupported(command, "min", "max", "returnKey", "showRecordId", "tailable", "awaitData", "oplogReplay");
        CommandArguments.RejectCollation(command);
        var context = CreateExpressionContext(command);
        var filter = QueryFilter.Parse(CommandArguments.OptionalDocument(command, "filter") ?? []);
        var sort = CommandArguments.OptionalDocument(command, "sort") is { ElementCount: > 0 } sortDocument
            ? SortSpecification.Parse(sortDocument)
            : null;
        var projection = CommandArguments.OptionalDocument(command, "projection") is { ElementCount: > 0 } projectionDocument
            ? ProjectionSpecification.Parse(projectionDocument, forAggregation: false)
            : null;
        var skip = NonNegative(command, "skip") ?? 0;
        var limit = CommandArguments.OptionalInt64(command, "limit") ?? 0;
        var batchSize = NonNegative(command, "batchSize");
        var singleBatch = CommandArguments.OptionalBoolean(command, "singleBatch");
        if (limit < 0)
        {
            throw MongoServerException.BadValue("LIMIT must be non-negative"); // find rejects a negative limit
        }

        var collection = FindCollection(request.Database, name);
        var matches = new List<(BsonDocument Document, int? Position)>();
        foreach (var document in collection?.Documents ?? [])
        {
            if (filter.Matches(document, context, out var position))
            {
                matches.Add((document, position));
            }
        }

        IEnumerable<(BsonDocument Document, int? Position)> ordered = matches;
        if (sort is not null)
        {
            ordered = matches.OrderBy(m => m.Document, sort);
        }

        ordered = ordered.Skip((int)Math.Min(skip, int.MaxValue));
        if (limit > 0)
        {
            ordered = ordered.Take((int)Math.Min(limit, int.MaxValue));
        }

        // Stored documents are never changed in place (a write stores a new document), so an open cursor may hold them.
        var results = ordered
            .Select(m => projection is null ? m.Document : projection.Apply(m.Document, m.Position, context))
            .ToList();
        return CursorReply($"{request.Database}.{name}", results, (int?)batchSize, singleBatch);
    }

    private BsonDocument Count(CommandRequest request)
    {
        var command = request.Command;
        var name = CommandArguments.CollectionName(request);
        CommandArguments.RejectCollation(command);
        var context = CreateExpressionContext(command);
        var filter = QueryFilter.Parse(CommandArguments.OptionalDocument(command, "query") ?? []);
        var skip = NonNegative(command, "skip") ?? 0;
        var limit = CommandArguments.OptionalInt64(command, "limit") ?? 0;
        var collection = FindCollection(request.Database, name);
        long n = (collection?.Documents ?? []).Count(d => filter.Matches(d, context));
        n = Math.Max(0, n - skip);
        if (limit != 0)
        {
            n = Math.Min(n, Math.Abs(limit));
        }

        return Ok(new BsonDocument("n", (int)n));
    }

    private BsonDocument Distinct(CommandRequest request)
    {
        var command = request.Command;
        var name = CommandArguments.CollectionName(request);
        CommandArguments.RejectCollation(command);
        var key = command.TryGetValue("key", out var k) && k is BsonString keyString
            ? keyString.Value
            : throw MongoServerException.FailedToParse("BSON field 'distinct.key' is missing but a required field");
        var context = CreateExpressionContext(command);
        var filter = QueryFilter.Parse(CommandArguments.OptionalDocument(command, "query") ?? []);
        var values = new List<BsonValue>();
        var seen = new HashSet<BsonValue>(BsonOrder.Instance);
        foreach (var document in FindCollection(request.Database, name)?.Documents ?? [])
        {
            if (!filter.Matches(document, context))
            {
                continue;
            }

            foreach (var value in DistinctValues(document, key.Split('.'), 0))
            {
                if (seen.Add(value))
                {
                    values.Add(value);
                }
            }
        }

        values.Sort(BsonOrder.Instance);
        return Ok(new BsonDocument("values", new BsonArray(values)));
    }

    private BsonDocument Aggregate(CommandRequest request)
    {
        var command = request.Command;
        var pipelineStages = CommandArguments.OptionalArray(command, "pipeline")
            ?? throw MongoServerException.FailedToParse("BSON field 'aggregate.pipeline' is missing but a required field");
        CommandArguments.RejectUnsupported(command, "explain");
        CommandArguments.RejectCollation(command);
        var cursorOptions = CommandArguments.OptionalDocument(command, "cursor")
            ?? throw MongoServerException.FailedToParse("The 'cursor' option is required, except for aggregate with the explain argument");
        var batchSize = NonNegative(cursorOptions, "batchSize");
        if (pipelineStages.Count > 0 && pipelineStages[0] is BsonDocument { ElementCount: 1 } firstStage &&
            firstStage.GetElement(0).Name == "$changeStream")
        {
            return OpenChangeStream(request, pipelineStages, (int?)batchSize);
        }

        var context = CreateExpressionContext(command);
        IEnumerable<BsonDocument> input;
        string ns;
        if (request.Target is BsonString)
        {
            var name = CommandArguments.CollectionName(request);
            ns = $"{request.Database}.{name}";
            input = (FindCollection(request.Database, name)?.Documents ?? []).Select(d => d.DeepClone().AsBsonDocument);
        }
        else if (BsonOrder.IsNumber(request.Target) && BsonOrder.ToDouble(request.Target) == 1)
        {
            ns = $"{request.Database}.$cmd.aggregate";
            input = [];
            if (pipelineStages.Count == 0 || pipelineStages[0] is not BsonDocument { ElementCount: 1 } first ||
                first.GetElement(0).Name is not ("$documents" or "$currentOp" or "$listLocalSessions"))
            {
                throw new MongoServerException(
                    ErrorCode.InvalidNamespace,
                    "{aggregate: 1} is not valid for '$match'; a collection is required.");
            }
        }
        else
        {
            throw new MongoServerException(ErrorCode.FailedToParse, "Invalid {aggregate: ...} value: expected a collection name or 1");
        }

        var pipeline = AggregationPipeline.Parse(pipelineStages, forUpdate: false);
        var results = pipeline.Execute(input, context).ToList();
        return CursorReply(ns, results, (int?)batchSize, singleBatch: false);
    }

    private static IEnumerable<BsonValue> DistinctValues(BsonValue current, string[] path, int index)
    {
        if (index == path.Length)
        {
            if (current is BsonArray array)
            {
                foreach (var element in array)
                {
                    yield return element;
                }
            }
            else
            {
                yield return current;
            }

            yield break;
        }

        if (current is BsonDocument document && document.TryGetValue(path[index], out var child))
        {
            foreach (var value in DistinctValues(child, path, index + 1))
            {
                yield return value;
            }
        }
        else if (current is BsonArray elements)
        {
            foreach (var element in elements)
            {
                foreach (var value in DistinctValues(element, path, index))
                {
                    yield return value;
                }
            }
        }
    }

    private static long? NonNegative(BsonDocument command, string field)
    {
        var value = CommandArguments.OptionalInt64(command, field);
        if (value < 0)
        {
            throw MongoServerException.BadValue($"{field} must be non-negative, but received: {value}");
        }

        return value;
    }

    /// <summary>The command's <c>$$NOW</c> and its <c>let</c> variables, evaluated once.</summary>
    private ExpressionContext CreateExpressionContext(BsonDocument command)
    {
        var now = server.Now;
        var letVariables = CommandArguments.OptionalDocument(command, "let");
        if (letVariables is null)
        {
            return new ExpressionContext(now);
        }

        return new ExpressionContext(now, LetParameters.Evaluate(letVariables, new ExpressionContext(now)));
    }

    private CollectionStore? FindCollection(string database, string name) =>
        server.Storage.FindDatabase(database)?.FindCollection(name);

    private CollectionStore GetOrCreateCollection(string database, string name)
    {
        ValidateCollectionName(database, name);
        var db = server.Storage.GetOrCreateDatabase(database);
        return db.FindCollection(name) ?? db.CreateCollection(name, []);
    }

    private static void ValidateCollectionName(string database, string name)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal) || name.StartsWith("system.", StringComparison.Ordinal) ||
            name.Contains('$', StringComparison.Ordinal))
        {
            throw new MongoServerException(ErrorCode.InvalidNamespace, $"Invalid collection name: {database}.{name}");
        }
    }
}
