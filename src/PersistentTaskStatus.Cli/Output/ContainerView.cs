namespace PersistentTaskStatus.Cli;

/// <summary>
/// A container's summary, whether it came from a query (<see cref="TaskContainerSummary"/>) or a read or watch
/// (<see cref="TaskContainer"/>), so that <c>list</c> and <c>watch --prefix</c> show them alike.
/// </summary>
internal sealed record ContainerView(
    string Name,
    double PercentageComplete,
    bool IsComplete,
    bool HasFailed,
    int TaskCount,
    int CompletedCount,
    int FailedCount,
    int RunningCount,
    int StalledCount,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? ExpiresAt)
{
    /// <summary>One word: failed (a task failed for good), complete, stalled, running, or pending (nothing running yet).</summary>
    public string State => Formats.ContainerState(IsComplete, HasFailed, RunningCount, StalledCount);

    public static ContainerView From(TaskContainerSummary summary) => new(
        summary.Name,
        summary.PercentageComplete,
        summary.IsComplete,
        summary.HasFailed,
        summary.TaskCount,
        summary.CompletedCount,
        summary.FailedCount,
        summary.RunningCount,
        summary.StalledCount,
        summary.CreatedAt,
        summary.UpdatedAt,
        summary.ExpiresAt);

    public static ContainerView From(TaskContainer container) => new(
        container.Name,
        container.PercentageComplete,
        container.IsComplete,
        container.HasFailed,
        container.TaskCount,
        container.CompletedCount,
        container.FailedCount,
        container.RunningCount,
        container.StalledTasks.Count,
        container.CreatedAt,
        container.UpdatedAt,
        container.ExpiresAt);
}
