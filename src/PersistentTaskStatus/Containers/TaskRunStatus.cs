namespace PersistentTaskStatus;

/// <summary>Where a task is in its life.</summary>
public enum TaskRunStatus
{
    /// <summary>Not started, or waiting for its next attempt.</summary>
    Pending = 0,

    /// <summary>Being worked on: it reported progress or is leased by a worker.</summary>
    Running = 1,

    /// <summary>Finished successfully. <see cref="TaskState.IsComplete"/> is true.</summary>
    Completed = 2,

    /// <summary>Failed for good. <see cref="TaskState.IsComplete"/> and <see cref="TaskState.HasFailed"/> are true.</summary>
    Failed = 3,
}
