namespace PersistentTaskStatus;

/// <summary>
/// Changes to a task, applied together in one atomic write by <see cref="TaskContainer.UpdateTaskAsync"/>. Only the
/// properties that are set change.
/// </summary>
public sealed class TaskChanges
{
    /// <summary>The new progress, from 0 to 100.</summary>
    public double? PercentageComplete { get; set; }

    /// <summary>The new status text.</summary>
    public string? StatusText { get; set; }

    /// <summary>
    /// New processing (checkpoint) data: a <see cref="MongoDB.Bson.BsonDocument"/> or any object the BSON serializer
    /// writes as a document.
    /// </summary>
    public object? ProcessingData { get; set; }

    /// <summary>
    /// The new status. <see cref="TaskRunStatus.Completed"/> sets the percentage to 100 and records the end time;
    /// <see cref="TaskRunStatus.Failed"/> marks the task failed for good (and complete); <see cref="TaskRunStatus.Pending"/>
    /// and <see cref="TaskRunStatus.Running"/> reopen it.
    /// </summary>
    public TaskRunStatus? Status { get; set; }

    /// <summary>An error to record as the task's last error (for example with <see cref="TaskRunStatus.Failed"/>).</summary>
    public Exception? Error { get; set; }

    /// <summary>A new number of retries; 0 or more.</summary>
    public int? MaxRetries { get; set; }

    /// <summary>A new base delay between attempts; zero or more.</summary>
    public TimeSpan? RetryDelay { get; set; }

    /// <summary>A new weight; zero or more.</summary>
    public double? Weight { get; set; }

    internal bool IsEmpty =>
        PercentageComplete is null && StatusText is null && ProcessingData is null && Status is null && Error is null &&
        MaxRetries is null && RetryDelay is null && Weight is null;
}
