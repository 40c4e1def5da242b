using System.CommandLine;

namespace PersistentTaskStatus.Cli;

/// <summary>The container argument that show, watch, reset and delete share, and reading it.</summary>
internal static class ContainerArgument
{
    public static Argument<string> Create() => new("container") { Description = "The container's name" };

    /// <summary>Reads a container with all its tasks; a missing one is the "not found" error (exit 3).</summary>
    public static async Task<TaskContainer> ReadAsync(TaskStatusClient client, string name, CancellationToken cancellationToken) =>
        await client.GetTaskContainerAsync(name, cancellationToken) ?? throw new TaskContainerNotFoundException(name);
}
