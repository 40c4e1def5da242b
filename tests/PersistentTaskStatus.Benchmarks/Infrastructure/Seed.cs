using System.Globalization;
using MongoDB.Bson;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>Containers and tasks made through the library, outside the measured code.</summary>
internal static class Seed
{
    public static string TaskName(int index) => string.Create(CultureInfo.InvariantCulture, $"task-{index:D4}");

    /// <summary>A new container of <paramref name="taskCount"/> tasks with the library's defaults, added one by one.</summary>
    public static async Task<TaskContainer> ContainerAsync(TaskStatusClient client, string name, int taskCount)
    {
        var (container, _) = await client.GetOrCreateTaskContainerAsync(name).ConfigureAwait(false);
        for (var i = 0; i < taskCount; i++)
        {
            await container.AddTaskAsync(TaskName(i)).ConfigureAwait(false);
        }

        return container;
    }

    /// <summary>A task as <see cref="TaskContainer.AddTaskAsync"/> writes it with default options: the raw driver's copy.</summary>
    public static BsonDocument NewTaskDocument(string name)
    {
        var defaults = new TaskOptions();
        return new BsonDocument
        {
            { Fields.Name, name },
            { Fields.Status, Fields.StatusValues.Pending },
            { Fields.IsComplete, false },
            { Fields.HasFailed, false },
            { Fields.PercentageComplete, 0.0 },
            { Fields.InvokeCount, 0 },
            { Fields.FencingToken, 0L },
            { Fields.MaxRetries, defaults.MaxRetries },
            { Fields.RetryDelayMs, (long)defaults.RetryDelay.TotalMilliseconds },
            { Fields.DependsOn, new BsonArray() },
            { Fields.Weight, defaults.Weight },
        };
    }

    /// <summary>Status texts for the percentages 0 to 99, made once so that no benchmark measures string formatting.</summary>
    public static IReadOnlyList<string> ProgressTexts { get; } =
        [.. Enumerable.Range(0, 100).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p * 10} of 1000 MB"))];
}
