namespace PersistentTaskStatus;

/// <summary>Which containers <see cref="TaskStatusClient.QueryTaskContainersAsync"/> returns, newest change first.</summary>
public sealed class TaskContainerQuery
{
    /// <summary>The largest <see cref="PageSize"/>.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Only containers in this state.</summary>
    /// <value><see cref="TaskContainerStates.Any"/> by default.</value>
    public TaskContainerStates State { get; set; } = TaskContainerStates.Any;

    /// <summary>Only containers whose name starts with this text (case-sensitive), for example <c>epf-import:</c>.</summary>
    /// <value>Null (any name) by default.</value>
    public string? NamePrefix { get; set; }

    /// <summary>Only containers that changed at or after this time (UTC).</summary>
    /// <value>Null by default.</value>
    public DateTime? ChangedSince { get; set; }

    /// <summary>How many containers a page holds, 1 to <see cref="MaxPageSize"/>.</summary>
    /// <value>50 by default.</value>
    public int PageSize { get; set; } = 50;

    /// <summary>Where the page starts: the <see cref="TaskContainerPage.ContinuationToken"/> of the previous page, or null for the first.</summary>
    /// <value>Null by default.</value>
    public string? ContinuationToken { get; set; }
}

/// <summary>The states a query can select.</summary>
public enum TaskContainerStates
{
    /// <summary>Every container.</summary>
    Any = 0,

    /// <summary>Containers with a task not yet finished.</summary>
    Incomplete = 1,

    /// <summary>Containers whose tasks all completed successfully.</summary>
    Complete = 2,

    /// <summary>Containers with a task that failed for good (finished or not).</summary>
    Failed = 3,

    /// <summary>Containers with a running task whose progress has not moved for <see cref="TaskStatusOptions.StallAfter"/>.</summary>
    Stalled = 4,
}
