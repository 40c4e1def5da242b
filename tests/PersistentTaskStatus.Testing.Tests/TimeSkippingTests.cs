using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;

namespace PersistentTaskStatus.Testing.Tests;

/// <summary>The test environment used as a user's test would: expiring leases, back-offs, stalls and retention without waiting.</summary>
public sealed class TimeSkippingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<TaskStatusTestEnvironment> StartAsync(Action<TaskStatusOptions>? configure = null)
    {
        var env = await TaskStatusTestEnvironment.StartAsync(new TaskStatusTestEnvironmentOptions { ConfigureClient = configure }, Token);
        if (!env.CanAdvanceTime)
        {
            await env.DisposeAsync();
            Assert.Skip("Time skipping needs the in-process test server; MONGODB_URI names a real MongoDB.");
        }

        return env;
    }

    private static void Report(string what, long started) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms wall time");

    [Fact]
    public async Task A_crashed_workers_lease_expires_when_time_is_skipped_past_it_and_another_worker_takes_the_task()
    {
        var started = Stopwatch.GetTimestamp();
        await using var env = await StartAsync();
        var (container, _) = await env.Client.GetOrCreateTaskContainerAsync("crash:1", Token);
        await container.AddTaskAsync("import", cancellationToken: Token);
        var crashed = await container.TryLeaseNextTaskAsync("worker-a", TimeSpan.FromMinutes(2), Token);

        // A crash: the lease is neither ended nor renewed any more.
        await crashed!.DisposeAsync();
        Assert.Null(await container.TryLeaseNextTaskAsync("worker-b", TimeSpan.FromMinutes(2), Token));
        env.AdvanceTime(TimeSpan.FromMinutes(1));
        Assert.Null(await container.TryLeaseNextTaskAsync("worker-b", TimeSpan.FromMinutes(2), Token));

        env.AdvanceTime(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await using var successor = await container.TryLeaseNextTaskAsync("worker-b", TimeSpan.FromMinutes(2), Token);

        Assert.NotNull(successor);
        Assert.Equal(2, successor.Attempt);
        Assert.Equal(2L, successor.FencingToken);
        await Assert.ThrowsAsync<LeaseLostException>(() => crashed.ReportProgressAsync(50, cancellationToken: Token));
        var stored = (await env.Client.GetTaskContainerAsync("crash:1", Token))!.Tasks[0];
        Assert.Equal("worker-b", stored.LeaseOwner);
        Assert.True(stored.LeasedTill > env.TimeProvider.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(1));
        Report("lease expiry after 2 min skipped", started);
    }

    [Fact]
    public async Task The_run_loop_retries_after_a_30_s_back_off_when_the_time_is_skipped()
    {
        var started = Stopwatch.GetTimestamp();
        await using var env = await StartAsync();
        var (container, _) = await env.Client.GetOrCreateTaskContainerAsync("retry:1", Token);
        await container.AddTaskAsync("download", new TaskOptions { RetryDelay = TimeSpan.FromSeconds(30) }, Token);
        var attempts = 0;
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The run loop as production runs it: default options, so it asks again every second of the clock.
        var run = container.RunAsync("worker", (lease, _) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                failed.TrySetResult();
                throw new IOException("connection reset");
            }

            return Task.CompletedTask;
        }, cancellationToken: Token);
        await failed.Task.WaitAsync(TimeSpan.FromMinutes(1), Token);
        await WaitUntilAsync(async () => (await env.Client.GetTaskContainerAsync("retry:1", Token))!.Tasks[0].NextAttemptAt is not null);

        // Without the skip the retry would need 30 s of real time, more than this wait allows.
        env.AdvanceTime(TimeSpan.FromSeconds(30));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20), Token);

        Assert.Equal(2, attempts);
        Assert.Equal(1, result.Completed);
        Assert.Equal(1, result.FailedAttempts);
        var task = (await env.Client.GetTaskContainerAsync("retry:1", Token))!.Tasks[0];
        Assert.Equal(TaskRunStatus.Completed, task.Status);
        Assert.Equal(2, task.InvokeCount);
        Assert.Equal("System.IO.IOException", task.LastError?.Type);
        Report("retry after a 30 s back-off", started);
    }

    [Fact]
    public async Task Skipping_an_hour_of_back_off_makes_the_retry_ready_exactly_when_its_hour_has_passed()
    {
        var started = Stopwatch.GetTimestamp();
        await using var env = await StartAsync();
        var ready = Stopwatch.GetTimestamp();
        var (container, _) = await env.Client.GetOrCreateTaskContainerAsync("hour:1", Token);
        await container.AddTaskAsync("rebuild-indexes", new TaskOptions { RetryDelay = TimeSpan.FromHours(1) }, Token);
        var first = await container.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(1), Token);
        var failedState = await first!.FailAsync(new TimeoutException("the index build timed out"), Token);
        Assert.Equal(TimeSpan.FromHours(1), failedState.NextAttemptAt - failedState.LastError!.OccurredAt);

        env.AdvanceTime(TimeSpan.FromMinutes(59));
        Assert.Null(await container.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(1), Token));
        env.AdvanceTime(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await using var retry = await container.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(1), Token);
        await retry!.CompleteAsync(cancellationToken: Token);

        Assert.Equal(2, retry.Attempt);
        Assert.True(retry.State.LastInvokedAt >= failedState.NextAttemptAt);
        Assert.True((await env.Client.GetTaskContainerAsync("hour:1", Token))!.IsComplete);
        Assert.Equal(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1), env.TimeAdvanced);
        var wall = Stopwatch.GetElapsedTime(started);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"HOUR_OF_BACK_OFF_WALL_MS={wall.TotalMilliseconds:0} (after the environment started: {Stopwatch.GetElapsedTime(ready).TotalMilliseconds:0} ms)");
    }

    [Fact]
    public async Task A_leased_task_without_progress_becomes_stalled_while_its_lease_keeps_renewing()
    {
        await using var env = await StartAsync(o => o.StallAfter = TimeSpan.FromMinutes(10));
        var (container, _) = await env.Client.GetOrCreateTaskContainerAsync("stall:1", Token);
        await container.AddTaskAsync("verify", cancellationToken: Token);
        await using var lease = await container.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(1), Token);
        await lease!.ReportProgressAsync(40, "40 of 100 files", cancellationToken: Token);
        var firstExpiry = lease.State.LeasedTill;

        env.AdvanceTime(TimeSpan.FromMinutes(11));

        // The renewal timer came due in the skip and renews from the database's new now.
        await WaitUntilAsync(async () => (await env.Client.GetTaskContainerAsync("stall:1", Token))!.Tasks[0].LeasedTill > firstExpiry + TimeSpan.FromMinutes(10));
        var page = await env.Client.QueryTaskContainersAsync(new TaskContainerQuery { State = TaskContainerStates.Stalled }, Token);
        var summary = Assert.Single(page.Containers);
        Assert.Equal("stall:1", summary.Name);
        Assert.Equal(1, summary.StalledCount);
        await container.RefreshAsync(Token);
        Assert.Equal("verify", Assert.Single(container.StalledTasks).Name);
        Assert.False(lease.IsLost);
    }

    [Fact]
    public async Task Retention_removes_a_completed_container_once_the_skipped_time_passes_its_expiry()
    {
        await using var env = await StartAsync(o => o.CompletedRetention = TimeSpan.FromHours(1));
        var (container, _) = await env.Client.GetOrCreateTaskContainerAsync("retained:1", Token);
        await container.AddTaskAsync("only", cancellationToken: Token);
        await using (var lease = await container.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(1), Token))
        {
            await lease!.CompleteAsync(cancellationToken: Token);
        }

        env.AdvanceTime(TimeSpan.FromMinutes(30));
        Assert.NotNull(await env.Client.GetTaskContainerAsync("retained:1", Token));

        // The TTL monitor runs every 60 s of the server's clock: the skip past the expiry runs it.
        env.AdvanceTime(TimeSpan.FromMinutes(32));

        Assert.Null(await env.Client.GetTaskContainerAsync("retained:1", Token));
    }

    [Fact]
    public async Task The_server_clock_moves_with_the_skip_for_new_writes_and_for_hello()
    {
        await using var env = await StartAsync();
        var before = DateTime.UtcNow;

        env.AdvanceTime(TimeSpan.FromDays(3));
        var (container, _) = await env.Client.GetOrCreateTaskContainerAsync("clock:1", Token);
        var hello = await env.Database.RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: Token);

        Assert.True(container.CreatedAt >= before + TimeSpan.FromDays(3));
        Assert.True(container.CreatedAt < DateTime.UtcNow + TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        Assert.True(hello["localTime"].ToUniversalTime() >= before + TimeSpan.FromDays(3));
        Assert.True(env.TimeProvider.GetUtcNow() >= before + TimeSpan.FromDays(3));
    }

    [Fact]
    public async Task Time_only_moves_forward_and_not_after_dispose()
    {
        var env = await StartAsync();
        Assert.Throws<ArgumentOutOfRangeException>(() => env.AdvanceTime(TimeSpan.FromSeconds(-1)));
        await env.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => env.AdvanceTime(TimeSpan.FromSeconds(1)));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Token);
        limit.CancelAfter(TimeSpan.FromMinutes(1));
        while (!await condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }
}
