using System.Collections.Concurrent;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Leasing;

public sealed class RunLoopTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(RunLoopTests));

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    private static TaskRunOptions Fast(int parallelism = 1) => new()
    {
        MaxDegreeOfParallelism = parallelism,
        LeaseDuration = TimeSpan.FromSeconds(30),
        PollInterval = TimeSpan.FromMilliseconds(25),
    };

    [Fact]
    public async Task RunAfterPrevious_makes_a_sequential_step_and_DependsOn_joins_parallel_branches()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("shape", Token);
        await container.AddTaskAsync("check-feed", cancellationToken: Token);
        var first = await container.AddTaskAsync("download-a", new TaskOptions { RunAfterPrevious = true }, Token);
        var second = await container.AddTaskAsync("download-b", new TaskOptions { DependsOn = ["check-feed"] }, Token);
        var join = await container.AddTaskAsync("verify", new TaskOptions { DependsOn = ["download-a", "download-b"] }, Token);
        var last = await container.AddTaskAsync("clean-up", new TaskOptions { RunAfterPrevious = true }, Token);

        Assert.Equal(["check-feed"], first.DependsOn);
        Assert.Equal(["check-feed"], second.DependsOn);
        Assert.Equal(["download-a", "download-b"], join.DependsOn);
        Assert.Equal(["verify"], last.DependsOn);
        Assert.Equal(new BsonArray { "verify" }, (await context.StoredAsync("shape"))!["tasks"][4]["dependsOn"]);
    }

    [Fact]
    public async Task The_run_loop_works_the_container_in_dependency_order_until_it_is_complete()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("loop", Token);
        await container.AddTaskAsync("check", cancellationToken: Token);
        await container.AddTaskAsync("a", new TaskOptions { DependsOn = ["check"] }, Token);
        await container.AddTaskAsync("b", new TaskOptions { DependsOn = ["check"] }, Token);
        await container.AddTaskAsync("join", new TaskOptions { DependsOn = ["a", "b"] }, Token);
        var order = new ConcurrentQueue<string>();
        var concurrentBranches = 0;
        var running = 0;

        var result = await container.RunAsync("worker", async (lease, cancellationToken) =>
        {
            var now = Interlocked.Increment(ref running);
            if (lease.TaskName is "a" or "b")
            {
                await Task.Delay(150, cancellationToken);
                concurrentBranches = Math.Max(concurrentBranches, Volatile.Read(ref running));
            }

            await lease.ReportProgressAsync(50, "half", cancellationToken: cancellationToken);
            order.Enqueue(lease.TaskName);
            Interlocked.Decrement(ref running);
        }, Fast(parallelism: 2), Token);

        Assert.Equal(4, result.Completed);
        Assert.Equal(4, result.Leased);
        Assert.Equal("check", order.First());
        Assert.Equal("join", order.Last());
        Assert.Equal(2, concurrentBranches);
        Assert.True(container.IsComplete);
        var stored = (await context.StoredAsync("loop"))!;
        Assert.All(stored["tasks"].AsBsonArray, t => Assert.Equal("completed", t["status"].AsString));
    }

    [Fact]
    public async Task A_throwing_delegate_fails_the_attempt_and_the_task_is_retried_until_it_succeeds()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("retry", Token);
        await container.AddTaskAsync("flaky", new TaskOptions { MaxRetries = 3, RetryDelay = TimeSpan.FromMilliseconds(20) }, Token);
        var calls = 0;

        var result = await container.RunAsync("w", (lease, _) =>
            Interlocked.Increment(ref calls) < 3 ? throw new IOException($"attempt {lease.Attempt}") : Task.CompletedTask,
            Fast(), Token);

        Assert.Equal(2, result.FailedAttempts);
        Assert.Equal(1, result.Completed);
        var stored = (await context.StoredAsync("retry"))!["tasks"][0];
        Assert.Equal("completed", stored["status"].AsString);
        Assert.Equal(3, stored["invokeCount"].AsInt32);
        Assert.Equal("attempt 2", stored["lastError"]["message"].AsString);
    }

    [Fact]
    public async Task Cancelling_the_run_releases_the_running_task_without_consuming_an_attempt()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("cancel", Token);
        await container.AddTaskAsync("long", cancellationToken: Token);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var started = new TaskCompletionSource();

        var run = container.RunAsync("w", async (lease, cancellationToken) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }, Fast(), stop.Token);
        await started.Task;
        await stop.CancelAsync();
        var result = await run;

        Assert.Equal(1, result.Released);
        var stored = (await context.StoredAsync("cancel"))!["tasks"][0];
        Assert.Equal("pending", stored["status"].AsString);
        Assert.Equal(0, stored["invokeCount"].AsInt32);
    }

    /// <summary>
    /// 16 workers, each on its own MongoClient, run a 200-task container with random failures: every task ends
    /// completed exactly once or failed after exactly maxRetries + 1 attempts, and no task is ever held by two live leases.
    /// </summary>
    [Fact]
    public async Task Sixteen_workers_on_separate_clients_run_200_tasks_with_random_failures_and_nothing_is_lost_or_done_twice()
    {
        const int workers = 16;
        const int taskCount = 200;
        const int maxRetries = 2;
        const int seed = 20261128;
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("fleet", Token);
        for (var i = 0; i < taskCount; i++)
        {
            // Every tenth task continues the previous one: chains across the fleet.
            await container.AddTaskAsync($"t{i:000}", new TaskOptions
            {
                MaxRetries = maxRetries,
                RetryDelay = TimeSpan.FromMilliseconds(10),
                RunAfterPrevious = i % 10 == 9,
            }, Token);
        }

        var random = new Random(seed);
        var holders = new ConcurrentDictionary<string, long>();
        var attempts = new ConcurrentDictionary<string, int>();
        var successes = new ConcurrentDictionary<string, int>();
        var tokens = new ConcurrentBag<long>();
        var overlaps = 0;
        var mongoClients = Enumerable.Range(0, workers).Select(_ => new MongoClient(fixture.CreateClientSettings())).ToList();

        var results = await Task.WhenAll(mongoClients.Select(async (mongoClient, w) =>
        {
            using var client = new TaskStatusClient(mongoClient.GetDatabase(context.Database.DatabaseNamespace.DatabaseName));
            var handle = (await client.GetTaskContainerAsync("fleet", Token))!;
            return await handle.RunAsync($"worker-{w}", async (lease, cancellationToken) =>
            {
                if (!holders.TryAdd(lease.TaskName, lease.FencingToken))
                {
                    Interlocked.Increment(ref overlaps);
                }

                tokens.Add(lease.FencingToken);
                attempts.AddOrUpdate(lease.TaskName, 1, (_, n) => n + 1);
                bool fail;
                lock (random)
                {
                    fail = random.NextDouble() < 0.3;
                }

                try
                {
                    await Task.Delay(2, cancellationToken);
                    if (fail)
                    {
                        throw new IOException($"injected failure of {lease.TaskName} attempt {lease.Attempt}");
                    }

                    successes.AddOrUpdate(lease.TaskName, 1, (_, n) => n + 1);
                }
                finally
                {
                    holders.TryRemove(lease.TaskName, out _);
                }
            }, new TaskRunOptions { MaxDegreeOfParallelism = 2, LeaseDuration = TimeSpan.FromSeconds(30), PollInterval = TimeSpan.FromMilliseconds(20) }, Token);
        }));
        mongoClients.ForEach(c => c.Dispose());

        var stored = (await context.StoredAsync("fleet"))!;
        var tasks = stored["tasks"].AsBsonArray.Select(t => t.AsBsonDocument).ToList();
        var completed = tasks.Where(t => t["status"] == "completed").ToList();
        var failed = tasks.Where(t => t["status"] == "failed").ToList();
        Assert.Equal(0, overlaps);
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        Assert.True(stored["isComplete"].AsBoolean);
        Assert.Equal(taskCount, completed.Count + failed.Count);
        foreach (var task in completed)
        {
            var name = task["name"].AsString;
            Assert.Equal(1, successes.GetValueOrDefault(name));
            Assert.Equal(attempts[name], task["invokeCount"].AsInt32);
        }

        foreach (var task in failed)
        {
            var name = task["name"].AsString;
            Assert.Equal(0, successes.GetValueOrDefault(name));
            if (task["lastError"]["type"] == "PersistentTaskStatus.DependencyFailed")
            {
                Assert.Equal(0, attempts.GetValueOrDefault(name));
            }
            else
            {
                Assert.Equal(maxRetries + 1, task["invokeCount"].AsInt32);
                Assert.Equal(maxRetries + 1, attempts[name]);
            }
        }

        Assert.Equal(results.Sum(r => r.Completed), completed.Count);
        Assert.Equal(attempts.Values.Sum(), results.Sum(r => r.Leased));
        Assert.Equal(0, results.Sum(r => r.LeasesLost));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {seed}: {workers} workers, {taskCount} tasks, {results.Sum(r => r.Leased)} leases, " +
            $"{results.Sum(r => r.FailedAttempts)} failed attempts, {completed.Count} completed, {failed.Count} failed " +
            $"({failed.Count(t => t["lastError"]["type"] == "PersistentTaskStatus.DependencyFailed")} through a dependency), " +
            $"{overlaps} overlapping leases, {results.Sum(r => r.LeasesLost)} leases lost");
    }
}
