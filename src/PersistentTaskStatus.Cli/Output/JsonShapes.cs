namespace PersistentTaskStatus.Cli;

// The JSON that --json writes: camelCase names, UTC times in ISO 8601 ("2026-11-28T16:22:05.123Z"), every field
// always present (null when it has no value). These records, not the library's types, define the shapes, so that a
// change in the library never changes them silently. They are documented in README.md; add fields, never rename them.

/// <summary>A container without its tasks: an item of <c>list</c>, a line of <c>watch --prefix</c>.</summary>
internal sealed record ContainerJson(
    string Name,
    string State,
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
    public static ContainerJson From(ContainerView view) => new(
        view.Name,
        view.State,
        Math.Round(view.PercentageComplete, 2),
        view.IsComplete,
        view.HasFailed,
        view.TaskCount,
        view.CompletedCount,
        view.FailedCount,
        view.RunningCount,
        view.StalledCount,
        Utc(view.CreatedAt),
        Utc(view.UpdatedAt),
        view.ExpiresAt is { } expires ? Utc(expires) : null);

    internal static DateTime Utc(DateTime time) => time.Kind == DateTimeKind.Utc ? time : DateTime.SpecifyKind(time, DateTimeKind.Utc);
}

/// <summary>The output of <c>list</c>: a page of containers and the token of the next.</summary>
internal sealed record ListJson(IReadOnlyList<ContainerJson> Containers, string? ContinuationToken);

/// <summary>A container with its tasks: the output of <c>show</c>, a line of <c>watch</c>.</summary>
internal sealed record ContainerDetailJson(
    string Name,
    string State,
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
    DateTime? ExpiresAt,
    IReadOnlyList<TaskJson> Tasks)
{
    public static ContainerDetailJson From(TaskContainer container)
    {
        var summary = ContainerJson.From(ContainerView.From(container));
        return new(
            summary.Name,
            summary.State,
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
            summary.ExpiresAt,
            [.. container.Tasks.Select(TaskJson.From)]);
    }
}

/// <summary>A task of a container.</summary>
internal sealed record TaskJson(
    string Name,
    string Status,
    double PercentageComplete,
    string? StatusText,
    int InvokeCount,
    int MaxRetries,
    int MaxAttempts,
    string? LeaseOwner,
    DateTime? LeasedTill,
    bool IsStalled,
    DateTime? NextAttemptAt,
    ErrorJson? LastError,
    IReadOnlyList<string> DependsOn,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? TaskEndedAt)
{
    public static TaskJson From(TaskState task) => new(
        task.Name,
        Formats.Status(task.Status),
        Math.Round(task.PercentageComplete, 2),
        task.StatusText,
        task.InvokeCount,
        task.MaxRetries,
        task.MaxRetries + 1,
        task.LeaseOwner,
        Utc(task.LeasedTill),
        task.IsStalled,
        Utc(task.NextAttemptAt),
        task.LastError is { } error ? new ErrorJson(error.Type, error.Message, ContainerJson.Utc(error.OccurredAt)) : null,
        task.DependsOn,
        ContainerJson.Utc(task.CreatedAt),
        ContainerJson.Utc(task.UpdatedAt),
        Utc(task.TaskEndedAt));

    private static DateTime? Utc(DateTime? time) => time is { } value ? ContainerJson.Utc(value) : null;
}

/// <summary>The last error of a task.</summary>
internal sealed record ErrorJson(string Type, string Message, DateTime OccurredAt);

/// <summary>The output of <c>reset</c>.</summary>
internal sealed record ResetJson(string Container, TaskJson Task, IReadOnlyList<string> AlsoReset);

/// <summary>The output of <c>delete</c>.</summary>
internal sealed record DeleteJson(string Container, bool Deleted);
