using System.Diagnostics;
using System.Globalization;
using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>Containers and tasks made through the library, outside the measured code.</summary>
internal static class Seed
{
    public static string TaskName(int index) => string.Create(CultureInfo.InvariantCulture, $"task-{index:D4}");

    /// <summary>
    /// A new container of <paramref name="taskCount"/> tasks with the library's defaults. Up to 50 are added one by
    /// one through the library; a bigger container gets its first task that way and copies of it (renamed) written
    /// in one update, then its summary recomputed by the library's own get-or-create pipeline, because adding a
    /// thousand tasks one by one costs the test server O(n^2) (tens of seconds per benchmark case).
    /// </summary>
    public static async Task<TaskContainer> ContainerAsync(TaskStatusClient client, string name, int taskCount)
    {
        var started = Stopwatch.StartNew();
        var (container, _) = await client.GetOrCreateTaskContainerAsync(name).ConfigureAwait(false);
        if (taskCount <= 50)
        {
            for (var i = 0; i < taskCount; i++)
            {
                await container.AddTaskAsync(TaskName(i)).ConfigureAwait(false);
            }

            return container;
        }

        await container.AddTaskAsync(TaskName(0)).ConfigureAwait(false);
        var collection = client.Store.Collection;
        var byName = new BsonDocument(Fields.Name, name);
        var stored = await collection.Find(byName).FirstAsync().ConfigureAwait(false);
        var first = stored[Fields.Tasks][0].AsBsonDocument;
        var tasks = new BsonArray(taskCount) { first };
        for (var i = 1; i < taskCount; i++)
        {
            var copy = first.DeepClone().AsBsonDocument;
            copy[Fields.Name] = TaskName(i);
            tasks.Add(copy);
        }

        await collection.UpdateOneAsync(byName, new BsonDocument("$set", new BsonDocument(Fields.Tasks, tasks))).ConfigureAwait(false);
        await client.Store.WriteAsync("GetOrCreate", ContainerCommands.GetOrCreate(name, ObjectId.GenerateNewId()), name, null, CancellationToken.None).ConfigureAwait(false);
        var seeded = await client.GetTaskContainerAsync(name).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Container '{name}' vanished.");
        if (seeded.TaskCount != taskCount)
        {
            throw new InvalidOperationException($"Container '{name}' has {seeded.TaskCount} tasks, not {taskCount}.");
        }

        Console.WriteLine($"// Seeded container '{name}' with {taskCount} tasks in {started.ElapsedMilliseconds} ms.");
        return seeded;
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
