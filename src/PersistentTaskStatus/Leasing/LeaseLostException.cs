namespace PersistentTaskStatus;

/// <summary>
/// The lease is no longer held: another worker took the task over after the lease expired, or the task was finished
/// or reset by someone else. Nothing was written. Stop working on the task.
/// </summary>
public sealed class LeaseLostException : TaskStatusException
{
    /// <summary>Creates the error.</summary>
    /// <param name="containerName">The container.</param>
    /// <param name="taskName">The task.</param>
    /// <param name="fencingToken">The fencing token of the lost lease.</param>
    /// <param name="reason">What happened to the task.</param>
    public LeaseLostException(string containerName, string taskName, long fencingToken, string reason)
        : base($"The lease on task '{taskName}' of task container '{containerName}' (fencing token {fencingToken}) is lost: {reason}. Nothing was written.")
    {
        ContainerName = containerName;
        TaskName = taskName;
        FencingToken = fencingToken;
    }

    /// <summary>The fencing token of the lost lease.</summary>
    public long FencingToken { get; }
}
