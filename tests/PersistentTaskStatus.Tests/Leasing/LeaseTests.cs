using Microsoft.Extensions.Time.Testing;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Leasing;

public sealed class LeaseTests(MongoFixture fixture) : IDisposable
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(400);

    // Background renewal off: these tests decide when a lease expires.
    private readonly LibraryTestContext context = new(fixture, typeof(LeaseTests), o => o.RenewLeases = false);

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    private async Task<TaskContainer> ContainerAsync(string name, params (string Name, TaskOptions? Options)[] tasks)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        foreach (var (taskName, options) in tasks)
        {
            await container.AddTaskAsync(taskName, options, Token);
        }

        return container;
    }

    private static Task PastAsync(TimeSpan duration) => Task.Delay(duration + TimeSpan.FromMilliseconds(150), Token);

    [Fact]
    public async Task TryLease_takes_the_first_ready_task_in_insertion_order_and_stamps_it_in_one_write()
    {
        var container = await ContainerAsync("order", ("first", null), ("second", null));
        context.ClearCommands();

        await using var lease = (await container.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(5), Token))!;

        var command = Assert.Single(context.Commands);
        Assert.Equal("findAndModify", command.Name);
        Assert.Equal("first", lease.TaskName);
        Assert.Equal(1, lease.Attempt);
        Assert.Equal(1, lease.FencingToken);
        var stored = (await context.StoredAsync("order"))!["tasks"][0].AsBsonDocument;
        Assert.Equal("running", stored["status"].AsString);
        Assert.Equal("worker-1", stored["leaseOwner"].AsString);
        Assert.Equal(1, stored["invokeCount"].AsInt32);
        Assert.Equal(1L, stored["fencingToken"].ToInt64());
        var leasedFor = stored["leasedTill"].ToUniversalTime() - stored["lastInvokedAt"].ToUniversalTime();
        Assert.Equal(TimeSpan.FromMinutes(5), leasedFor);
        Assert.Equal(stored["leasedTill"].ToUniversalTime(), lease.State.LeasedTill);
    }

    [Fact]
    public async Task A_held_task_is_not_leased_twice_and_each_lease_gets_a_greater_fencing_token()
    {
        var container = await ContainerAsync("tokens", ("a", null), ("b", null));

        await using var first = (await container.TryLeaseNextTaskAsync("w1", TimeSpan.FromMinutes(1), Token))!;
        await using var second = (await container.TryLeaseNextTaskAsync("w2", TimeSpan.FromMinutes(1), Token))!;
        var none = await container.TryLeaseNextTaskAsync("w3", TimeSpan.FromMinutes(1), Token);

        Assert.Equal("a", first.TaskName);
        Assert.Equal("b", second.TaskName);
        Assert.True(second.FencingToken > first.FencingToken);
        Assert.Null(none);
        Assert.Equal(2L, (await context.StoredAsync("tokens"))!["lastToken"].ToInt64());
    }

    [Fact]
    public async Task Progress_from_the_holder_renews_the_lease_and_saves_the_checkpoint_in_one_write()
    {
        var container = await ContainerAsync("progress", ("download", null));
        await using var lease = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromSeconds(30), Token))!;
        var leasedTill = lease.State.LeasedTill!.Value;
        await Task.Delay(20, Token);
        context.ClearCommands();

        var state = await lease.ReportProgressAsync(40, "400 MB", new BsonDocument("offset", 400L * 1024 * 1024), Token);

        Assert.Single(context.Commands);
        Assert.True(state.LeasedTill > leasedTill);
        var stored = (await context.StoredAsync("progress"))!["tasks"][0];
        Assert.Equal(40.0, stored["percentageComplete"].AsDouble);
        Assert.Equal(400L * 1024 * 1024, stored["processingData"]["offset"].AsInt64);
        Assert.Equal(state.LeasedTill, stored["leasedTill"].ToUniversalTime());
    }

    [Fact]
    public async Task A_zombie_whose_lease_was_taken_over_can_change_nothing_and_learns_it_lost_the_lease()
    {
        var container = await ContainerAsync("zombie", ("import", null));
        var zombie = (await container.TryLeaseNextTaskAsync("old-worker", Short, Token))!;
        await PastAsync(Short);
        await using var successor = (await container.TryLeaseNextTaskAsync("new-worker", TimeSpan.FromMinutes(1), Token))!;
        await successor.ReportProgressAsync(10, "successor at work", new BsonDocument("row", 10), Token);
        var before = await context.DumpAsync();

        var attempts = new Func<Task>[]
        {
            () => zombie.ReportProgressAsync(99, "zombie", new BsonDocument("row", 999), Token),
            () => zombie.SaveCheckpointAsync(new BsonDocument("row", 999), Token),
            () => zombie.RenewAsync(Token),
            () => zombie.CompleteAsync(cancellationToken: Token),
            () => zombie.FailAsync(new IOException("zombie"), Token),
            () => zombie.ReleaseAsync(Token),
        };
        foreach (var attempt in attempts)
        {
            var error = await Assert.ThrowsAsync<LeaseLostException>(attempt);
            Assert.Equal("zombie", error.ContainerName);
            Assert.Equal("import", error.TaskName);
        }

        Assert.True(zombie.IsLost);
        Assert.True(zombie.LeaseLost.IsCancellationRequested);
        Assert.Equal(before, await context.DumpAsync());
        Assert.Equal(successor.FencingToken, (await context.StoredAsync("zombie"))!["tasks"][0]["fencingToken"].ToInt64());
        await zombie.DisposeAsync();
    }

    [Fact]
    public async Task A_crashed_workers_task_is_leased_again_after_expiry_and_the_successor_resumes_from_the_checkpoint()
    {
        var container = await ContainerAsync("crash", ("download", null));
        var crashed = (await container.TryLeaseNextTaskAsync("w1", Short, Token))!;
        await crashed.SaveCheckpointAsync(new BsonDocument("offset", 123_456L), Token);
        await crashed.DisposeAsync(); // the process dies: no release, no completion

        Assert.Null(await container.TryLeaseNextTaskAsync("w2", Short, Token));
        await PastAsync(Short);
        await using var successor = (await container.TryLeaseNextTaskAsync("w2", TimeSpan.FromMinutes(1), Token))!;

        Assert.Equal("download", successor.TaskName);
        Assert.Equal(2, successor.Attempt);
        Assert.Equal(123_456L, successor.State.ProcessingData!["offset"].AsInt64);
        Assert.Equal("w2", (await context.StoredAsync("crash"))!["tasks"][0]["leaseOwner"].AsString);
    }

    [Fact]
    public async Task An_expired_lease_with_no_attempt_left_fails_the_task_with_lease_expired()
    {
        var container = await ContainerAsync("expired", ("once", new TaskOptions { MaxRetries = 0 }));
        var lease = (await container.TryLeaseNextTaskAsync("w1", Short, Token))!;
        await lease.DisposeAsync();
        await PastAsync(Short);

        var next = await container.TryLeaseNextTaskAsync("w2", Short, Token);

        Assert.Null(next);
        Assert.True(container.IsComplete);
        Assert.True(container.HasFailed);
        var stored = (await context.StoredAsync("expired"))!["tasks"][0];
        Assert.Equal("failed", stored["status"].AsString);
        Assert.Equal("lease expired", stored["lastError"]["message"].AsString);
    }

    // The polling watch and ChangedSince queries find changed containers by updatedAt: a lease attempt that leases
    // nothing but fails tasks must move it like any other change.
    [Fact]
    public async Task A_lease_attempt_that_takes_nothing_but_fails_an_expired_lease_and_its_dependent_moves_updatedAt()
    {
        var container = await ContainerAsync("expired-chain", ("once", new TaskOptions { MaxRetries = 0 }), ("after", new TaskOptions { DependsOn = ["once"] }));
        var lease = (await container.TryLeaseNextTaskAsync("w1", TimeSpan.FromMilliseconds(1), Token))!;
        await lease.DisposeAsync();
        var leasedAt = (await context.StoredAsync("expired-chain"))!["updatedAt"].ToUniversalTime();

        // Lease attempts take nothing until the database clock passes the 1 ms lease; the one after it fails both tasks.
        BsonDocument stored;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        do
        {
            Assert.Null(await container.TryLeaseNextTaskAsync("w2", Short, Token));
            stored = (await context.StoredAsync("expired-chain"))!;
        }
        while (stored["tasks"][0]["status"] != "failed" && DateTime.UtcNow < deadline);

        var updatedAt = stored["updatedAt"].ToUniversalTime();
        var changed = await context.Client.QueryTaskContainersAsync(new TaskContainerQuery { NamePrefix = "expired-chain", ChangedSince = updatedAt }, Token);
        Assert.Equal(["failed", "failed"], stored["tasks"].AsBsonArray.Select(t => t["status"].AsString));
        Assert.True(updatedAt > leasedAt);
        Assert.All(stored["tasks"].AsBsonArray, t => Assert.Equal(updatedAt, t["updatedAt"].ToUniversalTime()));
        Assert.Equal(updatedAt, container.UpdatedAt);
        Assert.Equal("expired-chain", Assert.Single(changed.Containers).Name);
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_after_an_exponential_back_off_then_fails_for_good_and_its_dependents_fail_naming_it()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        var container = await ContainerAsync(
            "backoff",
            ("flaky", new TaskOptions { MaxRetries = 2, RetryDelay = delay }),
            ("after", new TaskOptions { DependsOn = ["flaky"] }),
            ("after-after", new TaskOptions { DependsOn = ["after"] }));
        var waits = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            TaskLease? lease = null;
            for (var i = 0; i < 100 && lease is null; i++)
            {
                lease = await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token);
                if (lease is null)
                {
                    await Task.Delay(25, Token);
                }
            }

            Assert.NotNull(lease);
            Assert.Equal("flaky", lease.TaskName);
            Assert.Equal(attempt, lease.Attempt);
            var state = await lease.FailAsync(new IOException($"attempt {attempt}"), Token);
            if (attempt < 3)
            {
                Assert.Equal(TaskRunStatus.Pending, state.Status);
                waits.Add(state.NextAttemptAt!.Value - state.LastError!.OccurredAt);
                Assert.Null(await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token));
            }

            await lease.DisposeAsync();
        }

        Assert.Equal([delay, delay * 2], waits);
        var stored = (await context.StoredAsync("backoff"))!;
        Assert.Equal("failed", stored["tasks"][0]["status"].AsString);
        Assert.Equal(3, stored["tasks"][0]["invokeCount"].AsInt32);
        Assert.Equal("attempt 3", stored["tasks"][0]["lastError"]["message"].AsString);
        Assert.Equal("failed", stored["tasks"][1]["status"].AsString);
        Assert.Equal("dependency 'flaky' failed", stored["tasks"][1]["lastError"]["message"].AsString);
        Assert.Equal("dependency 'after' failed", stored["tasks"][2]["lastError"]["message"].AsString);
        Assert.True(stored["isComplete"].AsBoolean);
        Assert.True(stored["hasFailed"].AsBoolean);
    }

    [Fact]
    public async Task The_back_off_is_capped_by_the_MaxRetryDelay_option()
    {
        using var capped = new LibraryTestContext(fixture, typeof(LeaseTests), o =>
        {
            o.RenewLeases = false;
            o.MaxRetryDelay = TimeSpan.FromSeconds(90);
        });
        var (container, _) = await capped.Client.GetOrCreateTaskContainerAsync("cap", Token);
        await container.AddTaskAsync("t", new TaskOptions { MaxRetries = 5, RetryDelay = TimeSpan.FromMinutes(1) }, Token);
        await using var lease = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token))!;

        Assert.Equal(TimeSpan.FromMinutes(1), lease.RetryDelayAfter(lease.State));
        Assert.Equal(TimeSpan.FromSeconds(90), lease.RetryDelayAfter(new TaskState { InvokeCount = 2, RetryDelay = TimeSpan.FromMinutes(1) }));
        Assert.Equal(TimeSpan.FromSeconds(90), lease.RetryDelayAfter(new TaskState { InvokeCount = 40, RetryDelay = TimeSpan.FromMinutes(1) }));
    }

    [Fact]
    public async Task Release_gives_the_task_back_without_consuming_an_attempt()
    {
        var container = await ContainerAsync("release", ("t", null));
        var lease = (await container.TryLeaseNextTaskAsync("w1", TimeSpan.FromMinutes(1), Token))!;

        var state = await lease.ReleaseAsync(Token);
        await using var again = (await container.TryLeaseNextTaskAsync("w2", TimeSpan.FromMinutes(1), Token))!;

        Assert.Equal(TaskRunStatus.Pending, state.Status);
        Assert.Equal(0, state.InvokeCount);
        Assert.Equal(1, again.Attempt);
        await Assert.ThrowsAsync<InvalidOperationException>(() => lease.RenewAsync(Token));
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task Completing_records_the_end_time_duration_and_result_and_ends_the_lease()
    {
        var container = await ContainerAsync("complete", ("t", null));
        var lease = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token))!;

        // 60 ms for a 50 ms claim: a timer may fire a little early, and the database clock counts whole milliseconds.
        await Task.Delay(60, Token);

        var state = await lease.CompleteAsync(new BsonDocument("rows", 1200), Token);

        Assert.Equal(TaskRunStatus.Completed, state.Status);
        Assert.True(state.Duration >= TimeSpan.FromMilliseconds(50));
        Assert.Null(state.LeasedTill);
        Assert.Equal(1200, state.ProcessingData!["rows"].AsInt32);
        Assert.True(container.IsComplete);
        await Assert.ThrowsAsync<InvalidOperationException>(() => lease.ReportProgressAsync(5, cancellationToken: Token));
        var stored = (await context.StoredAsync("complete"))!["tasks"][0];
        Assert.Equal(BsonType.DateTime, stored["taskEndedAt"].BsonType);
        Assert.True(stored["durationMs"].ToInt64() >= 50);
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task A_task_waits_for_all_its_dependencies_and_parallel_branches_run_at_the_same_time()
    {
        var container = await ContainerAsync(
            "branches",
            ("check", null),
            ("download-1", new TaskOptions { DependsOn = ["check"] }),
            ("download-2", new TaskOptions { DependsOn = ["check"] }),
            ("verify", new TaskOptions { DependsOn = ["download-1", "download-2"] }));

        var check = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token))!;
        Assert.Null(await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token));
        await check.CompleteAsync(cancellationToken: Token);
        var branch1 = (await container.TryLeaseNextTaskAsync("w1", TimeSpan.FromMinutes(1), Token))!;
        var branch2 = (await container.TryLeaseNextTaskAsync("w2", TimeSpan.FromMinutes(1), Token))!;
        Assert.Null(await container.TryLeaseNextTaskAsync("w3", TimeSpan.FromMinutes(1), Token));
        await branch1.CompleteAsync(cancellationToken: Token);
        Assert.Null(await container.TryLeaseNextTaskAsync("w3", TimeSpan.FromMinutes(1), Token));
        await branch2.CompleteAsync(cancellationToken: Token);
        var join = (await container.TryLeaseNextTaskAsync("w3", TimeSpan.FromMinutes(1), Token))!;

        Assert.Equal(["download-1", "download-2"], new[] { branch1.TaskName, branch2.TaskName });
        Assert.Equal("verify", join.TaskName);
        foreach (var lease in new[] { check, branch1, branch2, join })
        {
            await lease.DisposeAsync();
        }
    }

    [Fact]
    public async Task Lease_times_follow_the_database_clock_whatever_the_workers_clock_says()
    {
        var container = await ContainerAsync("skew", ("t", null));
        var ahead = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(6));
        var behind = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-6));
        using var fast = new TaskStatusClient(context.Database, new TaskStatusOptions { TimeProvider = ahead, RenewLeases = false });
        using var slow = new TaskStatusClient(context.Database, new TaskStatusOptions { TimeProvider = behind, RenewLeases = false });
        var fastContainer = (await fast.GetTaskContainerAsync("skew", Token))!;
        var slowContainer = (await slow.GetTaskContainerAsync("skew", Token))!;

        var held = (await slowContainer.TryLeaseNextTaskAsync("slow-clock", TimeSpan.FromSeconds(1), Token))!;
        var stolen = await fastContainer.TryLeaseNextTaskAsync("fast-clock", TimeSpan.FromSeconds(1), Token);
        await PastAsync(TimeSpan.FromSeconds(1));
        await using var takenOver = await fastContainer.TryLeaseNextTaskAsync("fast-clock", TimeSpan.FromMinutes(1), Token);

        Assert.Null(stolen);
        Assert.NotNull(takenOver);
        await Assert.ThrowsAsync<LeaseLostException>(() => held.RenewAsync(Token));
        var stored = (await context.StoredAsync("skew"))!["tasks"][0];
        var serverNow = stored["lastInvokedAt"].ToUniversalTime();
        Assert.InRange(serverNow, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        await held.DisposeAsync();
        Assert.NotNull(container);
    }

    [Fact]
    public async Task A_lease_renews_itself_in_the_background_until_disposed()
    {
        using var renewing = new LibraryTestContext(fixture, typeof(LeaseTests));
        var (container, _) = await renewing.Client.GetOrCreateTaskContainerAsync("renewing", Token);
        await container.AddTaskAsync("long", cancellationToken: Token);
        var lease = (await container.TryLeaseNextTaskAsync("w1", TimeSpan.FromMilliseconds(450), Token))!;

        await Task.Delay(1200, Token);
        var whileHeld = await container.TryLeaseNextTaskAsync("w2", TimeSpan.FromMinutes(1), Token);
        await lease.DisposeAsync();
        await Task.Delay(700, Token);
        await using var afterDispose = await container.TryLeaseNextTaskAsync("w2", TimeSpan.FromMinutes(1), Token);

        Assert.Null(whileHeld);
        Assert.NotNull(afterDispose);
        Assert.True(renewing.Commands.Count(c => c.Name == "findAndModify") >= 5);
    }

    [Fact]
    public async Task The_operators_reset_puts_a_failed_task_and_the_dependents_it_failed_back_to_pending()
    {
        var container = await ContainerAsync(
            "reset",
            ("download", new TaskOptions { MaxRetries = 0 }),
            ("import", new TaskOptions { DependsOn = ["download"] }),
            ("other", null));
        var lease = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token))!;
        await lease.FailAsync(new IOException("disk full"), Token);
        await lease.DisposeAsync();
        context.ClearCommands();

        var state = await container.ResetTaskAsync("download", Token);

        Assert.Single(context.Commands);
        Assert.Equal(TaskRunStatus.Pending, state.Status);
        Assert.Equal(0, state.InvokeCount);
        var stored = (await context.StoredAsync("reset"))!;
        Assert.Equal("pending", stored["tasks"][0]["status"].AsString);
        Assert.Equal("pending", stored["tasks"][1]["status"].AsString);
        Assert.Equal(BsonNull.Value, stored["tasks"][1]["lastError"]);
        Assert.Equal("pending", stored["tasks"][2]["status"].AsString);
        Assert.False(stored["hasFailed"].AsBoolean);
        await using var again = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token))!;
        Assert.Equal("download", again.TaskName);
        await Assert.ThrowsAsync<TaskStateException>(() => container.ResetTaskAsync("other", Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    [InlineData(25 * 3600 * 1000.0)]
    public async Task A_lease_duration_that_is_not_positive_or_is_over_a_day_is_refused(double milliseconds)
    {
        var container = await ContainerAsync("durations", ("t", null));
        var before = await context.DumpAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => container.TryLeaseNextTaskAsync("w", TimeSpan.FromMilliseconds(milliseconds), Token));

        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task An_empty_owner_is_refused()
    {
        var container = await ContainerAsync("owners", ("t", null));

        await Assert.ThrowsAsync<ArgumentNullException>(() => container.TryLeaseNextTaskAsync(null!, TimeSpan.FromMinutes(1), Token));
        await Assert.ThrowsAsync<ArgumentException>(() => container.TryLeaseNextTaskAsync(" ", TimeSpan.FromMinutes(1), Token));
        Assert.Equal("pending", (await context.StoredAsync("owners"))!["tasks"][0]["status"].AsString);
    }
}
