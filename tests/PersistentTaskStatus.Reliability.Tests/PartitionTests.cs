using System.Collections.Concurrent;
using System.Diagnostics;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Reliability.Tests;

// Part 3: partitions. The server stops answering for a while (MongoTestServer.Pause(); on a real MongoDB a failCommand
// fail point with blockConnection), then answers again. Calls fail within OperationTimeout with a TimeoutException and
// nothing hangs; leases renew through it; afterwards the state is consistent and the work runs to completion.
[Collection(ServerWideStateCollection.Name)]
public sealed class PartitionTests(MongoFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    private static CancellationToken Token => ReliabilityContext.Token;

    [Fact]
    public async Task During_a_partition_every_call_fails_within_the_timeout_and_after_it_the_state_is_consistent()
    {
        using var context = new ReliabilityContext(fixture, typeof(PartitionTests), o => o.OperationTimeout = Timeout);
        await context.WarmUpAsync();
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("partition-calls", Token);
        await container.AddTaskAsync("a", cancellationToken: Token);
        await container.AddTaskAsync("b", cancellationToken: Token);
        await using var lease = await container.TryLeaseNextTaskAsync("w", TimeSpan.FromSeconds(30), Token);

        var calls = new (string Name, Func<Task> Call)[]
        {
            ("get or create", () => context.Client.GetOrCreateTaskContainerAsync("partition-calls", Token)),
            ("get", () => context.Client.GetTaskContainerAsync("partition-calls", Token)),
            ("add", () => container.AddTaskAsync("c", cancellationToken: Token)),
            ("progress", () => container.UpdateProgressAsync("b", 10, cancellationToken: Token)),
            ("update", () => container.UpdateTaskAsync("b", new TaskChanges { StatusText = "x" }, Token)),
            ("lease", () => container.TryLeaseNextTaskAsync("w2", TimeSpan.FromSeconds(30), Token)),
            ("lease progress", () => lease!.ReportProgressAsync(20, cancellationToken: Token)),
            ("checkpoint", () => lease!.SaveCheckpointAsync(new BsonDocument("at", 1), Token)),
            ("renew", () => lease!.RenewAsync(Token)),
            ("delete task", () => container.DeleteTaskAsync("b", Token)),
        };

        var outcomes = new List<string>();
        await using (await PartitionAsync(context, TimeSpan.FromSeconds(30)))
        {
            foreach (var (name, call) in calls)
            {
                var (error, elapsed) = await Figures.TimeAsync(call);
                outcomes.Add($"{name}: {error?.GetType().Name ?? "no error"} after {elapsed.TotalMilliseconds:0} ms");
                Assert.True(error is TimeoutException, $"{name}: {error}");
                Assert.True(elapsed <= Timeout + Slack, $"{name} took {elapsed}");
            }
        }

        Figures.Print(string.Join(Environment.NewLine, outcomes));

        // After the partition the commands held back have run (each whole or not at all): the summary agrees with
        // the tasks, and the work goes on.
        await WaitUntilAnsweringAsync(context.Client);
        await Invariants.AssertConsistentAsync(context.Raw);
        await container.RefreshAsync(Token);
        Assert.False(lease!.IsLost);
        await lease.CompleteAsync(cancellationToken: Token);
        await Invariants.AssertConsistentAsync(context.Raw);
        Figures.Add("calls made during a partition, each a TimeoutException within the timeout", calls.Length);
    }

    [Fact]
    public async Task During_a_partition_a_query_fails_within_the_timeout()
    {
        using var context = new ReliabilityContext(fixture, typeof(PartitionTests), o => o.OperationTimeout = Timeout);
        await context.WarmUpAsync();
        await context.Client.GetOrCreateTaskContainerAsync("partition-query", Token);
        await using (await PartitionAsync(context, TimeSpan.FromSeconds(30)))
        {
            using var guard = CancellationTokenSource.CreateLinkedTokenSource(Token);
            guard.CancelAfter(Timeout + Slack + Slack);
            var (error, elapsed) = await Figures.TimeAsync(() => context.Client.QueryTaskContainersAsync(cancellationToken: guard.Token));
            Assert.True(error is TimeoutException, $"query: {error?.GetType().Name} after {elapsed}");
            Assert.True(elapsed <= Timeout + Slack, $"query took {elapsed}");
        }
    }

    [Fact]
    public async Task A_lease_renews_itself_through_a_short_partition()
    {
        using var context = new ReliabilityContext(fixture, typeof(PartitionTests), o => o.OperationTimeout = Timeout);
        await context.WarmUpAsync();
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("partition-renewal", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        await using var lease = await container.TryLeaseNextTaskAsync("w", TimeSpan.FromSeconds(3), Token);
        var leasedTill = lease!.State.LeasedTill!.Value;

        await using (await PartitionAsync(context, TimeSpan.FromSeconds(1.6)))
        {
            await Task.Delay(TimeSpan.FromSeconds(1.6), Token);
        }

        // The renewal failed during the partition (a TimeoutException, caught), then renewed the lease again.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Token);
        var stored = (await context.StoredAsync("partition-renewal"))!["tasks"][0].AsBsonDocument;
        Assert.True(stored["leasedTill"].ToUniversalTime() > leasedTill.AddSeconds(1), $"leasedTill {stored["leasedTill"]}, first {leasedTill:O}");
        Assert.False(lease.IsLost);
        var completed = await lease.CompleteAsync(cancellationToken: Token);
        Assert.Equal(1, completed.InvokeCount);
        Assert.Equal(1L, completed.FencingToken);
        Figures.Add("leases that renewed themselves through a partition", 1);
    }

    [Fact]
    public async Task Workers_run_a_container_to_completion_through_a_partition()
    {
        const int TaskCount = 8;
        var opsMax = TimeSpan.Zero;
        var timeouts = 0;
        var restarts = 0;
        using var context = new ReliabilityContext(fixture, typeof(PartitionTests), o => o.OperationTimeout = Timeout);
        await context.WarmUpAsync();
        var (setup, _) = await context.Client.GetOrCreateTaskContainerAsync("partition-run", Token);
        for (var i = 0; i < TaskCount; i++)
        {
            await setup.AddTaskAsync($"t{i}", new TaskOptions { MaxRetries = 50, RetryDelay = TimeSpan.Zero }, Token);
        }

        var completions = new ConcurrentBag<(string Task, long Token)>();
        async Task WorkAsync(TaskLease lease, CancellationToken cancellationToken)
        {
            var from = lease.State.ProcessingData?.GetValue("step", 0).ToInt32() ?? 0;
            for (var step = from; step < 5; step++)
            {
                await Task.Delay(100, cancellationToken);
                var watch = Stopwatch.StartNew();
                try
                {
                    await lease.ReportProgressAsync((step + 1) * 20, checkpoint: new BsonDocument("step", step + 1), cancellationToken: cancellationToken);
                }
                catch (TimeoutException)
                {
                    Interlocked.Increment(ref timeouts);
                    throw;
                }
                finally
                {
                    lock (completions)
                    {
                        opsMax = watch.Elapsed > opsMax ? watch.Elapsed : opsMax;
                    }
                }
            }

            await lease.CompleteAsync(cancellationToken: cancellationToken);
            completions.Add((lease.TaskName, lease.FencingToken));
        }

        async Task WorkerAsync(string owner)
        {
            using var client = context.NewClient(out var mongo, o => o.OperationTimeout = Timeout);
            using var _ = mongo;
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(40))
            {
                try
                {
                    var container = await client.GetTaskContainerAsync("partition-run", Token);
                    if (container!.IsComplete)
                    {
                        return;
                    }

                    await container.RunAsync(owner, WorkAsync, new TaskRunOptions { LeaseDuration = TimeSpan.FromSeconds(1.5), PollInterval = TimeSpan.FromMilliseconds(100) }, Token);
                }
                catch (Exception ex) when (ex is TimeoutException or MongoException or TaskStatusException)
                {
                    // RunAsync stops at an error it cannot hide (a lease it could not take or end): start it again.
                    Interlocked.Increment(ref restarts);
                    await Task.Delay(100, Token);
                }
            }
        }

        var workers = new[] { WorkerAsync("w1"), WorkerAsync("w2") };
        await Task.Delay(700, Token);
        await using (await PartitionAsync(context, TimeSpan.FromSeconds(2)))
        {
            await Task.Delay(TimeSpan.FromSeconds(2), Token);
        }

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(45), Token);

        var final = await context.Client.GetTaskContainerAsync("partition-run", Token);
        Assert.True(final!.IsComplete);
        Assert.False(final.HasFailed);
        Assert.Equal(TaskCount, final.CompletedCount);
        await Invariants.AssertConsistentAsync(context.Raw);
        foreach (var task in final.Tasks)
        {
            // Completed once, by the lease holding the final token: no task was held by two live leases at its end.
            Assert.Equal([task.FencingToken], completions.Where(c => c.Task == task.Name).Select(c => c.Token));
        }

        Assert.True(opsMax <= Timeout + Slack, $"a progress write took {opsMax}");
        Figures.Print($"partition run: {timeouts} progress writes timed out, RunAsync restarted {restarts} times, slowest write {opsMax.TotalMilliseconds:0} ms");
        Figures.Add("tasks run to completion through a partition (none lost, none twice)", TaskCount);
    }

    /// <summary>
    /// Stops the server answering this context's commands until the result is disposed: the test server pauses; a real
    /// MongoDB blocks them with a failCommand fail point.
    /// </summary>
    private async Task<IAsyncDisposable> PartitionAsync(ReliabilityContext context, TimeSpan longest)
    {
        if (fixture.TestServer is { } server)
        {
            server.Pause();
            return new Resume(() =>
            {
                server.Resume();
                return Task.CompletedTask;
            });
        }

        var failPoint = await context.FailCommandAsync(
            "alwaysOn",
            new BsonDocument { { "blockConnection", true }, { "blockTimeMS", (int)longest.TotalMilliseconds } },
            "findAndModify", "find", "aggregate", "createIndexes", "delete", "insert", "update");
        return new Resume(async () => await failPoint.OffAsync());
    }

    private static async Task WaitUntilAnsweringAsync(TaskStatusClient client)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.GetTaskContainerAsync("any", Token);
                return;
            }
            catch (TimeoutException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
            }
        }
    }

    private sealed class Resume(Func<Task> resume) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await resume();
    }
}
