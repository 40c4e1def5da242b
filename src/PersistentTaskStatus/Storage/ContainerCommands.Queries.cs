using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MongoDB.Bson;

namespace PersistentTaskStatus.Storage;

/// <summary>The filters, sort and projection of container queries; each filter is served by one of the indexes.</summary>
internal static partial class ContainerCommands
{
    /// <summary>Newest change first; the <c>_id</c> breaks ties, so pages never overlap or skip.</summary>
    public static readonly BsonDocument NewestFirst = new() { { Fields.UpdatedAt, -1 }, { Fields.Id, -1 } };

    public static BsonDocument QueryFilter(TaskContainerQuery query, DateTime stalledBefore, (DateTime UpdatedAt, ObjectId Id)? after)
    {
        var filter = new BsonDocument();
        switch (query.State)
        {
            case TaskContainerStates.Incomplete:
                filter[Fields.IsComplete] = false;
                break;
            case TaskContainerStates.Complete:
                filter[Fields.IsComplete] = true;
                filter[Fields.HasFailed] = false;
                break;
            case TaskContainerStates.Failed:
                filter[Fields.HasFailed] = true;
                break;
            case TaskContainerStates.Stalled:
                filter[Fields.Tasks] = new BsonDocument("$elemMatch", StalledTask(stalledBefore));
                break;
        }

        if (!string.IsNullOrEmpty(query.NamePrefix))
        {
            // An anchored, case-sensitive prefix: MongoDB serves it from the name index.
            filter[Fields.Name] = new BsonRegularExpression("^" + Regex.Escape(query.NamePrefix));
        }

        var conditions = new BsonArray();
        if (query.ChangedSince is { } since)
        {
            conditions.Add(new BsonDocument(Fields.UpdatedAt, new BsonDocument("$gte", since.ToUniversalTime())));
        }

        if (after is { } position)
        {
            conditions.Add(new BsonDocument("$or", new BsonArray
            {
                new BsonDocument(Fields.UpdatedAt, new BsonDocument("$lt", position.UpdatedAt)),
                new BsonDocument { { Fields.UpdatedAt, position.UpdatedAt }, { Fields.Id, new BsonDocument("$lt", position.Id) } },
            }));
        }

        if (conditions.Count > 0)
        {
            filter["$and"] = conditions;
        }

        return filter;
    }

    /// <summary>The summary, and how many running tasks are stalled, computed by the projection.</summary>
    public static BsonDocument QueryProjection(DateTime stalledBefore) =>
        new BsonDocument(SummaryProjection)
        {
            {
                DocumentReader.StalledCountField,
                new BsonDocument("$size", new BsonDocument("$filter", new BsonDocument
                {
                    { "input", IfNull("$" + Fields.Tasks, new BsonArray()) },
                    {
                        "cond",
                        new BsonDocument("$and", new BsonArray
                        {
                            Eq(This + "." + Fields.Status, Fields.StatusValues.Running),
                            // In expressions null sorts below every date: a task with no time yet is not stalled.
                            Eq(new BsonDocument("$type", IfNull(This + "." + Fields.ProgressChangedAt, This + "." + Fields.LastInvokedAt)), "date"),
                            new BsonDocument("$lt", new BsonArray
                            {
                                IfNull(This + "." + Fields.ProgressChangedAt, This + "." + Fields.LastInvokedAt),
                                Literal(stalledBefore),
                            }),
                        })
                    },
                }))
            },
        };

    public static string ContinuationToken(DateTime updatedAt, ObjectId id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{new BsonDateTime(updatedAt).MillisecondsSinceEpoch.ToString(CultureInfo.InvariantCulture)}:{id}"));

    public static (DateTime UpdatedAt, ObjectId Id)? ParseContinuationToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
            if (parts.Length == 2 &&
                long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds) &&
                ObjectId.TryParse(parts[1], out var id))
            {
                return (BsonUtils.ToDateTimeFromMillisecondsSinceEpoch(milliseconds), id);
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException("The continuation token is not one this library issued.", nameof(token));
    }

    private static BsonDocument StalledTask(DateTime stalledBefore) => new()
    {
        { Fields.Status, Fields.StatusValues.Running },
        { Fields.ProgressChangedAt, new BsonDocument("$lt", stalledBefore) },
    };
}
