namespace PersistentTaskStatus.Storage;

/// <summary>The field names of the stored documents: one document per container, its tasks embedded in an array.</summary>
internal static class Fields
{
    // Container
    public const string Id = "_id";
    public const string Name = "name";
    public const string IsComplete = "isComplete";
    public const string HasFailed = "hasFailed";
    public const string PercentageComplete = "percentageComplete";
    public const string TaskCount = "taskCount";
    public const string CompletedCount = "completedCount";
    public const string FailedCount = "failedCount";
    public const string RunningCount = "runningCount";
    public const string LastToken = "lastToken";
    public const string CreatedAt = "createdAt";
    public const string UpdatedAt = "updatedAt";
    public const string ExpiresAt = "expiresAt";
    public const string Tasks = "tasks";

    // Scratch fields of the lease pipeline, removed by its last stage.
    public const string ScratchCompleted = "_completed";
    public const string ScratchLeaseIndex = "_leaseIndex";

    // Task (inside tasks[])
    public const string Status = "status";
    public const string StatusText = "statusText";
    public const string TaskData = "taskData";
    public const string ProcessingData = "processingData";
    public const string InvokeCount = "invokeCount";
    public const string LastInvokedAt = "lastInvokedAt";
    public const string TaskEndedAt = "taskEndedAt";
    public const string DurationMs = "durationMs";
    public const string LeasedTill = "leasedTill";
    public const string LeaseOwner = "leaseOwner";
    public const string LeaseId = "leaseId";
    public const string FencingToken = "fencingToken";
    public const string MaxRetries = "maxRetries";
    public const string RetryDelayMs = "retryDelayMs";
    public const string NextAttemptAt = "nextAttemptAt";
    public const string LastError = "lastError";
    public const string ErrorType = "type";
    public const string ErrorMessage = "message";
    public const string ErrorAt = "at";
    public const string DependsOn = "dependsOn";
    public const string Weight = "weight";
    public const string ProgressChangedAt = "progressChangedAt";

    /// <summary>The stored values of <see cref="TaskRunStatus"/>.</summary>
    public static class StatusValues
    {
        public const string Pending = "pending";
        public const string Running = "running";
        public const string Completed = "completed";
        public const string Failed = "failed";

        public static string Of(TaskRunStatus status) => status switch
        {
            TaskRunStatus.Pending => Pending,
            TaskRunStatus.Running => Running,
            TaskRunStatus.Completed => Completed,
            TaskRunStatus.Failed => Failed,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown task status."),
        };

        public static TaskRunStatus Parse(string value) => value switch
        {
            Pending => TaskRunStatus.Pending,
            Running => TaskRunStatus.Running,
            Completed => TaskRunStatus.Completed,
            Failed => TaskRunStatus.Failed,
            _ => throw new FormatException($"Unknown stored task status '{value}'."),
        };
    }
}
