using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Queries;

public sealed class QueryTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(QueryTests), o => o.StallAfter = TimeSpan.FromMilliseconds(400));

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    private async Task<TaskContainer> ContainerAsync(string name, params TaskRunStatus[] taskStates)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        for (var i = 0; i < taskStates.Length; i++)
        {
            await container.AddTaskAsync($"t{i}", cancellationToken: Token);
            if (taskStates[i] != TaskRunStatus.Pending)
            {
                await container.UpdateTaskAsync($"t{i}", new TaskChanges { Status = taskStates[i] }, Token);
            }
        }

        return container;
    }

    private async Task<List<string>> NamesAsync(TaskContainerQuery query)
    {
        var names = new List<string>();
        do
        {
            var page = await context.Client.QueryTaskContainersAsync(query, Token);
            names.AddRange(page.Containers.Select(c => c.Name));
            query.ContinuationToken = page.ContinuationToken;
        }
        while (query.ContinuationToken is not null);
        return names;
    }

    [Fact]
    public async Task Each_state_filter_returns_exactly_the_right_containers_newest_change_first()
    {
        await ContainerAsync("job:empty");
        await ContainerAsync("job:done", TaskRunStatus.Completed, TaskRunStatus.Completed);
        await ContainerAsync("job:failed", TaskRunStatus.Completed, TaskRunStatus.Failed);
        await ContainerAsync("job:failing", TaskRunStatus.Failed, TaskRunStatus.Running);
        await ContainerAsync("job:running", TaskRunStatus.Completed, TaskRunStatus.Running);
        await ContainerAsync("job:pending", TaskRunStatus.Pending);

        var all = await NamesAsync(new TaskContainerQuery());
        var incomplete = await NamesAsync(new TaskContainerQuery { State = TaskContainerStates.Incomplete });
        var complete = await NamesAsync(new TaskContainerQuery { State = TaskContainerStates.Complete });
        var failed = await NamesAsync(new TaskContainerQuery { State = TaskContainerStates.Failed });

        Assert.Equal(["job:pending", "job:running", "job:failing", "job:failed", "job:done", "job:empty"], all);
        Assert.Equal(["job:pending", "job:running", "job:failing"], incomplete);
        Assert.Equal(["job:done", "job:empty"], complete);
        Assert.Equal(["job:failing", "job:failed"], failed);
    }

    [Fact]
    public async Task Name_prefix_and_changed_since_narrow_the_results()
    {
        await ContainerAsync("epf-import:2026-11-27");
        await Task.Delay(20, Token); // distinct change times, whatever the server's speed
        var cut = (await ContainerAsync("epf-import:2026-11-28")).UpdatedAt;
        await ContainerAsync("other:2026-11-28");
        await ContainerAsync("epf-import.*:not-a-regex");

        var prefixed = await NamesAsync(new TaskContainerQuery { NamePrefix = "epf-import:" });
        var recent = await NamesAsync(new TaskContainerQuery { NamePrefix = "epf-import:", ChangedSince = cut });
        var literal = await NamesAsync(new TaskContainerQuery { NamePrefix = "epf-import.*" });

        Assert.Equal(["epf-import:2026-11-28", "epf-import:2026-11-27"], prefixed);
        Assert.Equal(["epf-import:2026-11-28"], recent);
        Assert.Equal(["epf-import.*:not-a-regex"], literal);
    }

    [Fact]
    public async Task Pages_cover_every_container_once_with_a_continuation()
    {
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await ContainerAsync($"page:{i}")).Name);
        }

        await Task.Delay(5, Token);
        var first = await context.Client.QueryTaskContainersAsync(new TaskContainerQuery { NamePrefix = "page:", PageSize = 3 }, Token);
        var all = await NamesAsync(new TaskContainerQuery { NamePrefix = "page:", PageSize = 3 });

        Assert.Equal(3, first.Containers.Count);
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal(created.AsEnumerable().Reverse(), all);
        await Assert.ThrowsAsync<ArgumentException>(() => context.Client.QueryTaskContainersAsync(new TaskContainerQuery { ContinuationToken = "garbage" }, Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.Client.QueryTaskContainersAsync(new TaskContainerQuery { PageSize = 0 }, Token));
    }

    [Fact]
    public async Task A_running_task_whose_progress_stops_moving_is_stalled_until_it_moves_again()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("stall:run", Token);
        await container.AddTaskAsync("slow", cancellationToken: Token);
        await ContainerAsync("stall:idle", TaskRunStatus.Pending);
        await using var lease = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token))!;
        await lease.ReportProgressAsync(10, cancellationToken: Token);

        Assert.Empty(await NamesAsync(new TaskContainerQuery { State = TaskContainerStates.Stalled }));
        await Task.Delay(600, Token);
        await lease.RenewAsync(Token); // alive: its lease is renewed, but the percentage does not move
        var stalled = await NamesAsync(new TaskContainerQuery { State = TaskContainerStates.Stalled });
        var summary = (await context.Client.QueryTaskContainersAsync(new TaskContainerQuery { NamePrefix = "stall:run" }, Token)).Containers.Single();
        await container.RefreshAsync(Token);
        var stalledTask = Assert.Single(container.StalledTasks);

        await lease.ReportProgressAsync(20, cancellationToken: Token);
        await container.RefreshAsync(Token);
        var afterProgress = await NamesAsync(new TaskContainerQuery { State = TaskContainerStates.Stalled });

        Assert.Equal(["stall:run"], stalled);
        Assert.Equal(1, summary.StalledCount);
        Assert.Equal("slow", stalledTask.Name);
        Assert.True(stalledTask.IsStalled);
        Assert.Empty(afterProgress);
        Assert.Empty(container.StalledTasks);
    }
}
