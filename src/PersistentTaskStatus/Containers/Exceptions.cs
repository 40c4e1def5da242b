namespace PersistentTaskStatus;

/// <summary>The base of the errors this library raises about containers and tasks.</summary>
public class TaskStatusException : Exception
{
    /// <summary>Creates an error with a message.</summary>
    /// <param name="message">What went wrong, naming the container and task.</param>
    public TaskStatusException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an error with a message and its cause.</summary>
    /// <param name="message">What went wrong, naming the container and task.</param>
    /// <param name="innerException">The error that caused it.</param>
    public TaskStatusException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The container concerned.</summary>
    public string? ContainerName { get; internal init; }

    /// <summary>The task concerned, when there is one.</summary>
    public string? TaskName { get; internal init; }
}

/// <summary>The container does not exist (it was never created, or it was deleted).</summary>
public sealed class TaskContainerNotFoundException : TaskStatusException
{
    /// <summary>Creates the error for a container.</summary>
    /// <param name="containerName">The missing container.</param>
    /// <param name="taskName">The task the call was about, if any.</param>
    public TaskContainerNotFoundException(string containerName, string? taskName = null)
        : base(taskName is null
            ? $"Task container '{containerName}' does not exist."
            : $"Task container '{containerName}' does not exist (the call was about its task '{taskName}').")
    {
        ContainerName = containerName;
        TaskName = taskName;
    }
}

/// <summary>The container exists but holds no task of that name.</summary>
public sealed class TaskNotFoundException : TaskStatusException
{
    /// <summary>Creates the error for a task.</summary>
    /// <param name="containerName">The container.</param>
    /// <param name="taskName">The missing task.</param>
    public TaskNotFoundException(string containerName, string taskName)
        : base($"Task '{taskName}' does not exist in task container '{containerName}'.")
    {
        ContainerName = containerName;
        TaskName = taskName;
    }
}

/// <summary>A task of that name already exists in the container; nothing was written.</summary>
public sealed class DuplicateTaskException : TaskStatusException
{
    /// <summary>Creates the error for a task.</summary>
    /// <param name="containerName">The container.</param>
    /// <param name="taskName">The name already taken.</param>
    public DuplicateTaskException(string containerName, string taskName)
        : base($"Task container '{containerName}' already has a task named '{taskName}'; task names are unique within a container.")
    {
        ContainerName = containerName;
        TaskName = taskName;
    }
}

/// <summary>A dependency names no task added before this one; nothing was written.</summary>
public sealed class TaskDependencyException : TaskStatusException
{
    /// <summary>Creates the error.</summary>
    /// <param name="containerName">The container.</param>
    /// <param name="taskName">The task being added.</param>
    /// <param name="missing">The dependencies that name no existing task.</param>
    public TaskDependencyException(string containerName, string taskName, IReadOnlyList<string> missing)
        : base($"Task '{taskName}' of task container '{containerName}' depends on {string.Join(", ", missing.Select(m => $"'{m}'"))}, which {(missing.Count == 1 ? "is" : "are")} not a task added before it.")
    {
        ContainerName = containerName;
        TaskName = taskName;
        MissingDependencies = missing;
    }

    /// <summary>The dependencies that name no existing task.</summary>
    public IReadOnlyList<string> MissingDependencies { get; }
}

/// <summary>The change is not allowed in the task's current state (for example progress on a completed task).</summary>
public sealed class TaskStateException : TaskStatusException
{
    /// <summary>Creates the error.</summary>
    /// <param name="containerName">The container.</param>
    /// <param name="taskName">The task.</param>
    /// <param name="message">Why the change is not allowed.</param>
    public TaskStateException(string containerName, string taskName, string message)
        : base($"Task '{taskName}' of task container '{containerName}': {message}")
    {
        ContainerName = containerName;
        TaskName = taskName;
    }

    /// <summary>
    /// When the change was refused because tasks that this task depends on (directly, or through other tasks) failed
    /// for good: those among them that failed on their own, in the container's order, which are the ones to reset
    /// (<see cref="TaskContainer.ResetTaskAsync"/> also resets the tasks that failed because of them). Empty otherwise.
    /// </summary>
    public IReadOnlyList<string> FailedDependencies { get; internal init; } = [];
}

/// <summary>The change would make the container's document larger than MongoDB's 16 MB limit; nothing was written.</summary>
public sealed class TaskContainerTooLargeException : TaskStatusException
{
    /// <summary>Creates the error.</summary>
    /// <param name="containerName">The container.</param>
    /// <param name="taskName">The task the change was about, if any.</param>
    /// <param name="innerException">The database's error, if it came from there.</param>
    public TaskContainerTooLargeException(string containerName, string? taskName, Exception? innerException = null)
        : base($"The change to {(taskName is null ? "" : $"task '{taskName}' of ")}task container '{containerName}' would make the container larger than MongoDB's 16 MB document limit; nothing was written. Keep large data outside the container (for example in GridFS) and store a reference.", innerException)
    {
        ContainerName = containerName;
        TaskName = taskName;
    }
}

/// <summary>
/// The MongoDB deployment is older than the library needs: MongoDB 5.0 or later (wire version 13) with
/// featureCompatibilityVersion 5.0 or later. Raised before the first command of a client on an older server, or when
/// MongoDB refuses a command for a reason only an older release or featureCompatibilityVersion gives (an
/// unrecognized expression, a feature not allowed by the featureCompatibilityVersion, a <c>$</c>-prefixed field in
/// task data below featureCompatibilityVersion 5.0). Nothing was written.
/// </summary>
public sealed class UnsupportedServerVersionException : TaskStatusException
{
    /// <summary>The oldest MongoDB release the library works with, and the lowest featureCompatibilityVersion.</summary>
    public const string RequiredVersion = "5.0";

    /// <summary>Creates the error.</summary>
    /// <param name="message">What was found and what is needed.</param>
    /// <param name="foundVersion">The version the server reported (<c>buildInfo</c>), when known.</param>
    /// <param name="innerException">MongoDB's error, when the refusal came from there.</param>
    public UnsupportedServerVersionException(string message, string? foundVersion, Exception? innerException = null)
        : base(message, innerException)
    {
        FoundVersion = foundVersion;
    }

    /// <summary>The version the server reported, for example <c>4.4.29</c>; null when it is not known.</summary>
    public string? FoundVersion { get; }
}
