namespace PersistentTaskStatus;

/// <summary>A task to add with <see cref="TaskContainer.AddTasksAsync"/>: its name and, optionally, its options.</summary>
/// <param name="Name">The task's name (1 to 256 characters, no NUL), unique within the container.</param>
/// <param name="Options">Its input data, retries, delay, weight and dependencies; null for the defaults.</param>
public sealed record TaskDefinition(string Name, TaskOptions? Options = null);
