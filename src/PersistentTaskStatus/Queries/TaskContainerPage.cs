namespace PersistentTaskStatus;

/// <summary>One page of a container query.</summary>
public sealed class TaskContainerPage
{
    internal TaskContainerPage(IReadOnlyList<TaskContainerSummary> containers, string? continuationToken)
    {
        Containers = containers;
        ContinuationToken = continuationToken;
    }

    /// <summary>The containers of this page, newest change first.</summary>
    public IReadOnlyList<TaskContainerSummary> Containers { get; }

    /// <summary>Pass it as <see cref="TaskContainerQuery.ContinuationToken"/> for the next page; null on the last page.</summary>
    public string? ContinuationToken { get; }
}

/// <summary>A container's summary, without its tasks: what a query returns.</summary>
public sealed class TaskContainerSummary
{
    internal TaskContainerSummary()
    {
    }

    /// <summary>The container's name.</summary>
    public string Name { get; internal init; } = "";

    /// <summary>True when every task finished; an empty container is complete.</summary>
    public bool IsComplete { get; internal init; }

    /// <summary>True when a task failed for good.</summary>
    public bool HasFailed { get; internal init; }

    /// <summary>The weighted mean of the tasks' percentages, 0 to 100.</summary>
    public double PercentageComplete { get; internal init; }

    /// <summary>How many tasks the container holds.</summary>
    public int TaskCount { get; internal init; }

    /// <summary>How many tasks completed successfully.</summary>
    public int CompletedCount { get; internal init; }

    /// <summary>How many tasks failed for good.</summary>
    public int FailedCount { get; internal init; }

    /// <summary>How many tasks are running.</summary>
    public int RunningCount { get; internal init; }

    /// <summary>How many running tasks are stalled, judged when the query ran.</summary>
    public int StalledCount { get; internal init; }

    /// <summary>When the container was created (UTC).</summary>
    public DateTime CreatedAt { get; internal init; }

    /// <summary>When the container last changed (UTC).</summary>
    public DateTime UpdatedAt { get; internal init; }

    /// <summary>When retention will remove the container (UTC), or null.</summary>
    public DateTime? ExpiresAt { get; internal init; }
}
