using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Containers;

public sealed class AddTasksTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(AddTasksTests), o => o.RenewLeases = false);

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    [Fact]
    public async Task A_group_of_side_by_side_steps_and_their_join_are_added_in_one_write()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("group", Token);
        await container.AddTaskAsync("check-feed", cancellationToken: Token);
        context.ClearCommands();

        var added = await container.AddTasksAsync(
        [
            new("download-1", new TaskOptions { DependsOn = ["check-feed"], TaskData = new BsonDocument("file", "a") }),
            new("download-2", new TaskOptions { DependsOn = ["check-feed"], TaskData = new BsonDocument("file", "b") }),
            new("verify", new TaskOptions { DependsOn = ["download-1", "download-2"] }),
            new("clean-up", new TaskOptions { RunAfterPrevious = true }),
        ], Token);

        var command = Assert.Single(context.Commands);
        Assert.Equal("findAndModify", command.Name);
        Assert.Equal(["download-1", "download-2", "verify", "clean-up"], added.Select(t => t.Name));
        Assert.Equal(["verify"], added[3].DependsOn);
        var stored = (await context.StoredAsync("group"))!;
        Assert.Equal(["check-feed", "download-1", "download-2", "verify", "clean-up"], stored["tasks"].AsBsonArray.Select(t => t["name"].AsString));
        Assert.Equal("b", stored["tasks"][2]["taskData"]["file"].AsString);
        Assert.Equal(5, stored["taskCount"].ToInt32());
        Assert.Equal(5, container.TaskCount);
        Assert.Equal(5, container.Tasks.Count);

        var check = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token))!;
        await check.CompleteAsync(cancellationToken: Token);
        var first = (await container.TryLeaseNextTaskAsync("w1", TimeSpan.FromMinutes(1), Token))!;
        var second = (await container.TryLeaseNextTaskAsync("w2", TimeSpan.FromMinutes(1), Token))!;
        Assert.Equal(["download-1", "download-2"], new[] { first.TaskName, second.TaskName });
        foreach (var lease in new[] { check, first, second })
        {
            await lease.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_first_entry_can_run_after_the_containers_last_task()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("chain", Token);
        await container.AddTaskAsync("import", cancellationToken: Token);

        var added = await container.AddTasksAsync([new("rebuild-indexes", new TaskOptions { RunAfterPrevious = true }), new("clean-up", new TaskOptions { RunAfterPrevious = true })], Token);

        Assert.Equal(["import"], added[0].DependsOn);
        Assert.Equal(["rebuild-indexes"], added[1].DependsOn);
    }

    [Fact]
    public async Task If_one_name_is_taken_nothing_is_added()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("taken", Token);
        await container.AddTaskAsync("b", cancellationToken: Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<DuplicateTaskException>(() => container.AddTasksAsync([new("a"), new("b"), new("c")], Token));

        Assert.Equal("b", error.TaskName);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task A_dependency_outside_the_container_and_the_batch_is_refused_and_nothing_is_added()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("missing-dependency", Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<TaskDependencyException>(() =>
            container.AddTasksAsync([new("a"), new("b", new TaskOptions { DependsOn = ["a", "nowhere"] })], Token));

        Assert.Equal(["nowhere"], error.MissingDependencies);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task A_batch_over_16_MB_in_all_is_refused_before_it_is_sent_naming_the_container_and_its_first_task()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("big-batch", Token);
        var chunk = new BsonDocument("blob", new BsonBinaryData(new byte[6 * 1024 * 1024]));
        var before = await context.DumpAsync();
        context.ClearCommands();

        // Each task fits on its own; the three together do not.
        var error = await Assert.ThrowsAsync<TaskContainerTooLargeException>(() => container.AddTasksAsync(
            [new("part-1", new TaskOptions { TaskData = chunk }), new("part-2", new TaskOptions { TaskData = chunk }), new("part-3", new TaskOptions { TaskData = chunk })],
            Token));

        Assert.Equal("big-batch", error.ContainerName);
        Assert.Equal("part-1", error.TaskName);
        Assert.Contains("16 MB", error.Message, StringComparison.Ordinal);
        Assert.Empty(context.Commands);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Bad_batches_are_refused_before_anything_is_written()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("bad-batch", Token);
        var before = await context.DumpAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => container.AddTasksAsync([], Token));
        await Assert.ThrowsAsync<ArgumentException>(() => container.AddTasksAsync([new("a"), new("a")], Token));
        await Assert.ThrowsAsync<ArgumentException>(() => container.AddTasksAsync([new("a", new TaskOptions { DependsOn = ["b"] }), new("b")], Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => container.AddTasksAsync([new("a", new TaskOptions { MaxRetries = -1 })], Token));
        var nullEntry = await Assert.ThrowsAsync<ArgumentNullException>(() => container.AddTasksAsync([new("a"), null!], Token));
        Assert.Contains("Entry 1 of the tasks to add to task container 'bad-batch' is null.", nullEntry.Message, StringComparison.Ordinal);

        Assert.Equal(before, await context.DumpAsync());
    }
}
