using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Containers;

/// <summary>One round trip per change, filtered by the container name, with names only ever as values.</summary>
public sealed class RoundTripTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(RoundTripTests));

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    [Fact]
    public async Task Every_mutating_call_is_exactly_one_findAndModify_filtered_by_the_container_name()
    {
        const string containerName = "run:$where.tasks.0";
        const string taskName = "$set.tasks.$[t]";
        await context.Client.EnsureIndexesAsync(Token);
        var calls = new List<(string Call, Func<Task> Run)>();
        TaskContainer? container = null;
        calls.Add(("GetOrCreateTaskContainerAsync", async () => container = (await context.Client.GetOrCreateTaskContainerAsync(containerName, Token)).Container));
        calls.Add(("AddTaskAsync", () => container!.AddTaskAsync(taskName, new TaskOptions { TaskData = new BsonDocument("n", 1) }, Token)));
        calls.Add(("AddTaskAsync with a dependency", () => container!.AddTaskAsync("after", new TaskOptions { DependsOn = [taskName] }, Token)));
        calls.Add(("UpdateProgressAsync", () => container!.UpdateProgressAsync(taskName, 50, "half", Token)));
        calls.Add(("UpdateTaskAsync", () => container!.UpdateTaskAsync(taskName, new TaskChanges { ProcessingData = new BsonDocument("offset", 9), Status = TaskRunStatus.Completed }, Token)));
        calls.Add(("DeleteTaskAsync", () => container!.DeleteTaskAsync("after", Token)));
        calls.Add(("DeleteTaskContainerAsync", () => context.Client.DeleteTaskContainerAsync(containerName, Token)));

        foreach (var (call, run) in calls)
        {
            context.ClearCommands();
            await run();

            var command = Assert.Single(context.Commands);
            Assert.True(command.Name == "findAndModify", $"{call} sent {command.Name}");
            Assert.Equal(containerName, command.Command["query"]["name"].AsString);
            Assert.False(HasFieldNameContaining(command.Command, taskName), $"{call} used the task name as a field name or path");
            Assert.False(HasFieldNameContaining(command.Command, containerName), $"{call} used the container name as a field name or path");
        }
    }

    [Fact]
    public async Task The_reply_to_UpdateProgress_is_the_same_size_on_a_container_of_1000_tasks_as_on_one_of_1()
    {
        var small = await ContainerWithTasksAsync("small", 1);
        var large = await ContainerWithTasksAsync("large", 1000);

        context.ClearCommands();
        await small.UpdateProgressAsync("task-0000", 37.5, "working", Token);
        var smallReply = Assert.Single(context.Commands).ReplyBytes;
        context.ClearCommands();
        await large.UpdateProgressAsync("task-0500", 37.5, "working", Token);
        var largeCommand = Assert.Single(context.Commands);

        Assert.InRange(largeCommand.ReplyBytes, smallReply * 0.9, smallReply * 1.1);
        Assert.Single(largeCommand.Reply!["value"]["tasks"].AsBsonArray);
        var stored = (await context.StoredAsync("large"))!["tasks"].AsBsonArray;
        Assert.Equal(1000, stored.Count);
        Assert.Equal(37.5, stored[500]["percentageComplete"].AsDouble);
        Assert.Equal(0.0, stored[499]["percentageComplete"].AsDouble);
    }

    private async Task<TaskContainer> ContainerWithTasksAsync(string name, int count)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        for (var i = 0; i < count; i++)
        {
            await container.AddTaskAsync($"task-{i:0000}", new TaskOptions { TaskData = new BsonDocument("file", $"part-{i}.tbz") }, Token);
        }

        return container;
    }

    private static bool HasFieldNameContaining(BsonValue value, string text) => value switch
    {
        BsonDocument document => document.Any(e => e.Name.Contains(text, StringComparison.Ordinal) || HasFieldNameContaining(e.Value, text)),
        BsonArray array => array.Any(v => HasFieldNameContaining(v, text)),
        _ => false,
    };
}
