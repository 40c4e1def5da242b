namespace PersistentTaskStatus.Dashboard.Rendering;

/// <summary>
/// What a page shows of a run (a task container) without its tasks: the same whether it comes from a query
/// (<see cref="TaskContainerSummary"/>) or from the watch (<see cref="TaskContainer"/>), so a row renders the same
/// either way.
/// </summary>
internal sealed record RunSummary(
    string Name,
    bool IsComplete,
    bool HasFailed,
    double PercentageComplete,
    int TaskCount,
    int CompletedCount,
    int FailedCount,
    int RunningCount,
    int StalledCount,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? ExpiresAt)
{
    public int PendingCount => Math.Max(0, TaskCount - CompletedCount - FailedCount - RunningCount);

    /// <summary>One word for the run's state, also its CSS class: <c>failed</c>, <c>completed</c>, <c>running</c> or <c>pending</c>.</summary>
    public string State => HasFailed ? "failed" : IsComplete ? "completed" : RunningCount > 0 ? "running" : "pending";

    public static RunSummary Of(TaskContainerSummary s) => new(
        s.Name, s.IsComplete, s.HasFailed, s.PercentageComplete, s.TaskCount, s.CompletedCount, s.FailedCount,
        s.RunningCount, s.StalledCount, s.CreatedAt, s.UpdatedAt, s.ExpiresAt);

    public static RunSummary Of(TaskContainer c) => new(
        c.Name, c.IsComplete, c.HasFailed, c.PercentageComplete, c.TaskCount, c.CompletedCount, c.FailedCount,
        c.RunningCount, c.StalledTasks.Count, c.CreatedAt, c.UpdatedAt, c.ExpiresAt);

    /// <summary>Whether the run is in <paramref name="state"/>, as the query API judges it.</summary>
    public bool IsIn(TaskContainerStates state) => state switch
    {
        TaskContainerStates.Incomplete => !IsComplete,
        TaskContainerStates.Complete => IsComplete && !HasFailed,
        TaskContainerStates.Failed => HasFailed,
        TaskContainerStates.Stalled => StalledCount > 0,
        _ => true,
    };
}
