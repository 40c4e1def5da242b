using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Leasing;

/// <summary>
/// The operator's reset and every other write that can put a task back to pending or add one: none may leave a
/// pending or running task whose dependency failed for good (it could never run, and its container never finish).
/// </summary>
public sealed class ResetTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(ResetTests), o => o.RenewLeases = false);

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    /// <summary>A container whose tasks fail for good (no retries) through a lease, in the order given.</summary>
    private async Task<TaskContainer> ContainerAsync(string name, (string Name, string[] DependsOn)[] tasks, params string[] failing)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        foreach (var (taskName, dependsOn) in tasks)
        {
            await container.AddTaskAsync(taskName, new TaskOptions { DependsOn = dependsOn, MaxRetries = 0 }, Token);
        }

        foreach (var taskName in failing)
        {
            await using var lease = await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token);
            Assert.Equal(taskName, lease?.TaskName);
            await lease!.FailAsync(new IOException($"{taskName} broke"), Token);
        }

        return container;
    }

    private static void AssertNoPendingTaskHasAFailedDependency(BsonDocument stored)
    {
        var tasks = stored["tasks"].AsBsonArray.Select(t => t.AsBsonDocument).ToList();
        var failed = tasks.Where(t => t["hasFailed"].AsBoolean).Select(t => t["name"].AsString).ToHashSet();
        foreach (var task in tasks.Where(t => t["status"] is { AsString: "pending" or "running" }))
        {
            Assert.DoesNotContain(task["dependsOn"].AsBsonArray.Select(d => d.AsString), failed.Contains);
        }
    }

    [Fact]
    public async Task Resetting_a_task_that_failed_only_because_its_dependency_failed_is_refused_naming_the_root_cause_and_writes_nothing()
    {
        var container = await ContainerAsync("chain", [("download", []), ("import", ["download"]), ("report", ["import"])], "download");
        var before = await context.DumpAsync();
        context.ClearCommands();

        var error = await Assert.ThrowsAsync<TaskStateException>(() => container.ResetTaskAsync("report", Token));
        var sent = context.Commands.Select(c => c.Name).ToList();

        Assert.Equal(["findAndModify", "find"], sent);
        Assert.Equal("chain", error.ContainerName);
        Assert.Equal("report", error.TaskName);
        Assert.Equal(["download"], error.FailedDependencies);
        Assert.Equal(
            "Task 'report' of task container 'chain': it failed because a task it depends on failed; reset 'download' instead (that also resets the tasks that failed because of it).",
            error.Message);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task The_refusal_names_every_root_cause_when_several_dependencies_failed_on_their_own()
    {
        var container = await ContainerAsync("two-roots", [("a", []), ("b", []), ("join", ["a", "b"]), ("after", ["join"])], "a", "b");
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<TaskStateException>(() => container.ResetTaskAsync("after", Token));

        Assert.Equal(["a", "b"], error.FailedDependencies);
        Assert.Contains("reset 'a' and 'b' instead", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Resetting_one_root_cause_leaves_a_dependent_that_another_failed_task_still_blocks_failed()
    {
        var container = await ContainerAsync("two-roots", [("a", []), ("b", []), ("join", ["a", "b"])], "a", "b");

        await container.ResetTaskAsync("a", Token);

        var stored = (await context.StoredAsync("two-roots"))!;
        Assert.Equal(["pending", "failed", "failed"], stored["tasks"].AsBsonArray.Select(t => t["status"].AsString));
        AssertNoPendingTaskHasAFailedDependency(stored);
        Assert.True(stored["hasFailed"].AsBoolean);

        await container.ResetTaskAsync("b", Token);

        stored = (await context.StoredAsync("two-roots"))!;
        Assert.Equal(["pending", "pending", "pending"], stored["tasks"].AsBsonArray.Select(t => t["status"].AsString));
        Assert.False(stored["hasFailed"].AsBoolean);
        Assert.False(stored["isComplete"].AsBoolean);
    }

    [Fact]
    public async Task Resetting_the_root_cause_lets_the_run_finish()
    {
        var container = await ContainerAsync("finish", [("download", []), ("import", ["download"])], "download");
        await Assert.ThrowsAsync<TaskStateException>(() => container.ResetTaskAsync("import", Token));

        await container.ResetTaskAsync("download", Token);
        foreach (var expected in new[] { "download", "import" })
        {
            await using var lease = await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token);
            Assert.Equal(expected, lease?.TaskName);
            await lease!.CompleteAsync(cancellationToken: Token);
        }

        var stored = (await context.StoredAsync("finish"))!;
        Assert.True(stored["isComplete"].AsBoolean);
        Assert.False(stored["hasFailed"].AsBoolean);
    }

    [Fact]
    public async Task A_dependent_whose_dependency_was_put_back_to_pending_by_hand_can_be_reset()
    {
        var container = await ContainerAsync("by-hand", [("download", []), ("import", ["download"])], "download");
        await container.UpdateTaskAsync("download", new TaskChanges { Status = TaskRunStatus.Pending }, Token);

        var state = await container.ResetTaskAsync("import", Token);

        Assert.Equal(TaskRunStatus.Pending, state.Status);
        AssertNoPendingTaskHasAFailedDependency((await context.StoredAsync("by-hand"))!);
    }

    [Theory]
    [InlineData(TaskRunStatus.Pending)]
    [InlineData(TaskRunStatus.Running)]
    public async Task Putting_a_task_whose_dependency_failed_back_to_pending_or_running_is_refused_and_writes_nothing(TaskRunStatus status)
    {
        var container = await ContainerAsync("update", [("download", []), ("import", ["download"]), ("report", ["import"])], "download");
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<TaskStateException>(() => container.UpdateTaskAsync("report", new TaskChanges { Status = status }, Token));

        Assert.Equal(["download"], error.FailedDependencies);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Adding_a_task_that_depends_on_a_failed_task_fails_it_in_the_same_write_naming_the_dependency()
    {
        var container = await ContainerAsync("add", [("download", [])], "download");
        var updatedBefore = (await context.StoredAsync("add"))!["updatedAt"].ToUniversalTime();
        context.ClearCommands();

        var added = await container.AddTaskAsync("import", new TaskOptions { DependsOn = ["download"] }, Token);
        var batch = await container.AddTasksAsync([new("verify"), new("report", new TaskOptions { RunAfterPrevious = true, DependsOn = ["import"] })], Token);

        Assert.Equal(2, context.Commands.Count);
        Assert.Equal(TaskRunStatus.Failed, added.Status);
        Assert.Equal(TaskError.DependencyFailedType, added.LastError?.Type);
        Assert.Equal("dependency 'download' failed", added.LastError?.Message);
        Assert.Equal([TaskRunStatus.Pending, TaskRunStatus.Failed], batch.Select(t => t.Status));
        var stored = (await context.StoredAsync("add"))!;
        AssertNoPendingTaskHasAFailedDependency(stored);
        Assert.Equal(3, stored["failedCount"].AsInt32);
        Assert.True(stored["updatedAt"].ToUniversalTime() >= updatedBefore);
    }

    [Fact]
    public async Task A_lease_poll_that_fails_an_expired_task_moves_the_containers_updatedAt()
    {
        var container = await ContainerAsync("expiry", [("slow", []), ("after", ["slow"])]);
        var lease = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMilliseconds(200), Token))!;
        var leasedAt = (await context.StoredAsync("expiry"))!["updatedAt"].ToUniversalTime();
        var expired = false;
        for (var i = 0; i < 600 && !expired; i++)
        {
            await Task.Delay(50, Token);
            Assert.Null(await container.TryLeaseNextTaskAsync("w2", TimeSpan.FromMinutes(1), Token));
            expired = (await context.StoredAsync("expiry"))!["tasks"][0]["status"].AsString == "failed";
        }

        Assert.True(expired, "the expired lease was never failed");
        var stored = (await context.StoredAsync("expiry"))!;
        Assert.Equal("failed", stored["tasks"][1]["status"].AsString);
        Assert.Equal(stored["tasks"][0]["updatedAt"], stored["updatedAt"]);
        Assert.True(stored["updatedAt"].ToUniversalTime() > leasedAt);
        await lease.DisposeAsync();
    }
}
