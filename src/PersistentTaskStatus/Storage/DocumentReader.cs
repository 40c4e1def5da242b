using MongoDB.Bson;

namespace PersistentTaskStatus.Storage;

/// <summary>Reads the stored documents into the public model; missing fields take their defaults.</summary>
internal static class DocumentReader
{
    /// <summary>Reads a task; it is stalled when running and its percentage last moved before <paramref name="stalledBefore"/>.</summary>
    public static TaskState ReadTask(BsonDocument task, DateTime? stalledBefore = null) => new()
    {
        IsStalled = stalledBefore is { } cutoff &&
            String(task, Fields.Status) == Fields.StatusValues.Running &&
            (Date(task, Fields.ProgressChangedAt) ?? Date(task, Fields.LastInvokedAt)) < cutoff,
        Name = task[Fields.Name].AsString,
        Status = task.TryGetValue(Fields.Status, out var status) ? Fields.StatusValues.Parse(status.AsString) : TaskRunStatus.Pending,
        IsComplete = Bool(task, Fields.IsComplete),
        HasFailed = Bool(task, Fields.HasFailed),
        PercentageComplete = Double(task, Fields.PercentageComplete),
        StatusText = String(task, Fields.StatusText),
        TaskData = Document(task, Fields.TaskData),
        ProcessingData = Document(task, Fields.ProcessingData),
        InvokeCount = task.TryGetValue(Fields.InvokeCount, out var invokeCount) && invokeCount.IsNumeric ? invokeCount.ToInt32() : 0,
        LastInvokedAt = Date(task, Fields.LastInvokedAt),
        TaskEndedAt = Date(task, Fields.TaskEndedAt),
        Duration = task.TryGetValue(Fields.DurationMs, out var duration) && duration.IsNumeric ? TimeSpan.FromMilliseconds(duration.ToDouble()) : null,
        LeasedTill = Date(task, Fields.LeasedTill),
        LeaseOwner = String(task, Fields.LeaseOwner),
        FencingToken = task.TryGetValue(Fields.FencingToken, out var token) && token.IsNumeric ? token.ToInt64() : 0,
        MaxRetries = task.TryGetValue(Fields.MaxRetries, out var maxRetries) && maxRetries.IsNumeric ? maxRetries.ToInt32() : TaskOptions.DefaultMaxRetries,
        RetryDelay = task.TryGetValue(Fields.RetryDelayMs, out var delay) && delay.IsNumeric ? TimeSpan.FromMilliseconds(delay.ToDouble()) : TimeSpan.Zero,
        NextAttemptAt = Date(task, Fields.NextAttemptAt),
        LastError = task.TryGetValue(Fields.LastError, out var error) && error is BsonDocument errorDocument
            ? new TaskError(
                String(errorDocument, Fields.ErrorType) ?? "",
                String(errorDocument, Fields.ErrorMessage) ?? "",
                Date(errorDocument, Fields.ErrorAt) ?? DateTime.MinValue)
            : null,
        DependsOn = task.TryGetValue(Fields.DependsOn, out var dependsOn) && dependsOn is BsonArray names
            ? names.Select(n => n.AsString).ToArray()
            : [],
        Weight = task.TryGetValue(Fields.Weight, out var weight) && weight.IsNumeric ? weight.ToDouble() : 1,
        CreatedAt = Date(task, Fields.CreatedAt) ?? DateTime.MinValue,
        UpdatedAt = Date(task, Fields.UpdatedAt) ?? DateTime.MinValue,
        ProgressChangedAt = Date(task, Fields.ProgressChangedAt),
    };

    public static IReadOnlyList<TaskState> ReadTasks(BsonDocument container, DateTime? stalledBefore = null) =>
        container.TryGetValue(Fields.Tasks, out var tasks) && tasks is BsonArray array
            ? array.Select(t => ReadTask(t.AsBsonDocument, stalledBefore)).ToArray()
            : [];

    public static ContainerSummary ReadSummary(BsonDocument container) => new(
        container.GetValue(Fields.Id, BsonNull.Value),
        container[Fields.Name].AsString,
        Bool(container, Fields.IsComplete, defaultValue: true),
        Bool(container, Fields.HasFailed),
        container.Contains(Fields.PercentageComplete) ? Double(container, Fields.PercentageComplete) : 100,
        Int(container, Fields.TaskCount),
        Int(container, Fields.CompletedCount),
        Int(container, Fields.FailedCount),
        Int(container, Fields.RunningCount),
        Date(container, Fields.CreatedAt) ?? DateTime.MinValue,
        Date(container, Fields.UpdatedAt) ?? DateTime.MinValue,
        Date(container, Fields.ExpiresAt),
        Int(container, StalledCountField));

    /// <summary>A field that only query replies carry, computed by their projection.</summary>
    public const string StalledCountField = "stalledCount";

    private static bool Bool(BsonDocument document, string field, bool defaultValue = false) =>
        document.TryGetValue(field, out var value) && value.IsBoolean ? value.AsBoolean : defaultValue;

    private static double Double(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsNumeric ? value.ToDouble() : 0;

    private static int Int(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsNumeric ? value.ToInt32() : 0;

    private static string? String(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsString ? value.AsString : null;

    private static BsonDocument? Document(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value is BsonDocument nested ? nested : null;

    private static DateTime? Date(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsValidDateTime ? value.ToUniversalTime() : null;
}

/// <summary>The container-level fields of a stored container.</summary>
internal sealed record ContainerSummary(
    BsonValue Id,
    string Name,
    bool IsComplete,
    bool HasFailed,
    double PercentageComplete,
    int TaskCount,
    int CompletedCount,
    int FailedCount,
    int RunningCount,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? ExpiresAt,
    int StalledCount);
