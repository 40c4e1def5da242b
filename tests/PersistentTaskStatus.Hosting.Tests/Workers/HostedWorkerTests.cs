using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersistentTaskStatus.TestInfrastructure;
using PersistentTaskStatus.TestServer;

namespace PersistentTaskStatus.Hosting.Tests.Workers;

public sealed class HostedWorkerTests(MongoFixture fixture) : IAsyncLifetime
{
    private readonly HostingTestContext context = new(fixture, typeof(HostedWorkerTests));

    private static CancellationToken Token => HostingTestContext.Token;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => context.DisposeAsync();

    private static Action<TaskWorkerOptions> Options(string owner, int parallelism = 1, TimeSpan? lease = null, TimeSpan? poll = null) => o =>
    {
        o.Owner = owner;
        o.MaxDegreeOfParallelism = parallelism;
        o.LeaseDuration = lease ?? TimeSpan.FromMinutes(1);
        o.PollInterval = poll ?? TimeSpan.FromMilliseconds(100);
    };

    [Fact]
    public async Task Two_hosts_drain_200_tasks_across_20_containers_and_complete_each_task_exactly_once()
    {
        var records = new ConcurrentQueue<(string Container, string Task, string Owner, long Token, int Attempt)>();
        var owners = new ConcurrentDictionary<string, byte>();
        var bothWorking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new ConcurrentDictionary<string, int>();
        var mostRunning = new ConcurrentDictionary<string, int>();
        async Task Handle(TaskLease lease, CancellationToken cancellationToken)
        {
            var now = running.AddOrUpdate(lease.Owner, 1, (_, n) => n + 1);
            mostRunning.AddOrUpdate(lease.Owner, now, (_, most) => Math.Max(most, now));
            try
            {
                await HandleOneAsync(lease, cancellationToken);
            }
            finally
            {
                running.AddOrUpdate(lease.Owner, 0, (_, n) => n - 1);
            }
        }

        async Task HandleOneAsync(TaskLease lease, CancellationToken cancellationToken)
        {
            owners.TryAdd(lease.Owner, 0);
            if (owners.Count == 2)
            {
                bothWorking.TrySetResult();
            }

            // The first tasks wait (a while at most) until the other host works too, so that the test shows the
            // hosts share the containers rather than whichever starts first draining them all.
            try
            {
                await bothWorking.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
            catch (TimeoutException)
            {
            }

            records.Enqueue((lease.ContainerName, lease.TaskName, lease.Owner, lease.FencingToken, lease.Attempt));
        }

        await using var a = await context.StartHostAsync(s => s.AddPersistentTaskStatusWorker("drain:", Handle, Options("host-a", 4)));
        await using var b = await context.StartHostAsync(s => s.AddPersistentTaskStatusWorker("drain:", Handle, Options("host-b", 4)));
        for (var c = 0; c < 20; c++)
        {
            var (container, _) = await context.Client.GetOrCreateTaskContainerAsync($"drain:{c:00}", Token);
            await container.AddTasksAsync([.. Enumerable.Range(0, 10).Select(t => new TaskDefinition($"task-{t}"))], Token);
        }

        await context.WaitUntilCompleteAsync("drain:");

        // From the database: every task completed, at its first attempt, by one of the two hosts.
        var stored = new Dictionary<(string, string), BsonDocument>();
        for (var c = 0; c < 20; c++)
        {
            foreach (var task in (await context.StoredTasksAsync($"drain:{c:00}")).Select(t => t.AsBsonDocument))
            {
                Assert.Equal("completed", task["status"].AsString);
                Assert.Equal(1, task["invokeCount"].AsInt32);
                Assert.Contains(task["leaseOwner"].AsString, new[] { "host-a", "host-b" });
                stored[($"drain:{c:00}", task["name"].AsString)] = task;
            }
        }

        Assert.Equal(200, stored.Count);

        // From the handlers' own records: each task ran once, under the lease that completed it.
        var ran = records.ToList();
        Assert.Equal(200, ran.Count);
        Assert.Equal(200, ran.Select(r => (r.Container, r.Task)).Distinct().Count());
        foreach (var run in ran)
        {
            var task = stored[(run.Container, run.Task)];
            Assert.Equal(task["leaseOwner"].AsString, run.Owner);
            Assert.Equal(task["fencingToken"].ToInt64(), run.Token);
            Assert.Equal(1, run.Attempt);
        }

        Assert.Contains(ran, r => r.Owner == "host-a");
        Assert.Contains(ran, r => r.Owner == "host-b");

        // One limit per host across its 20 containers: never more than 4 tasks at once on either.
        Assert.All(mostRunning.Values, most => Assert.InRange(most, 1, 4));
    }

    [Fact]
    public async Task A_host_stopped_mid_task_releases_it_and_another_host_takes_it_without_waiting_for_the_lease_to_expire()
    {
        var aStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bLeased = new TaskCompletionSource<(long At, int Attempt)>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task HandleOnA(TaskLease lease, CancellationToken cancellationToken)
        {
            aStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                aCancelled.TrySetResult();
                throw;
            }
        }

        Task HandleOnB(TaskLease lease, CancellationToken cancellationToken)
        {
            bLeased.TrySetResult((Stopwatch.GetTimestamp(), lease.Attempt));
            return Task.CompletedTask;
        }

        // A five-minute lease: only the release can explain a hand-over within the test's time. Host B lists the
        // containers only every two minutes, so a hand-over sooner than that came through the change stream that
        // announced the release (the figure printed shows it; the assertion does not need it).
        var lease = TimeSpan.FromMinutes(5);
        var bPolls = TimeSpan.FromMinutes(2);
        var shutdownTimeout = TimeSpan.FromMilliseconds(200);
        var lines = new ConcurrentQueue<(long At, string Line)>();
        await using var a = await context.StartHostAsync(s => { s.AddLogging(l => l.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddProvider(new TimingLoggerProvider("A", lines))); s.AddPersistentTaskStatusWorker("handover:", HandleOnA, Options("host-a", lease: lease)); }, shutdownTimeout);
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("handover:1", Token);
        await container.AddTaskAsync("long", cancellationToken: Token);
        await aStarted.Task.WaitAsync(TimeSpan.FromMinutes(1), Token);
        await using var b = await context.StartHostAsync(s => { s.AddLogging(l => l.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddProvider(new TimingLoggerProvider("B", lines))); s.AddPersistentTaskStatusWorker("handover:", HandleOnB, Options("host-b", lease: lease, poll: bPolls)); });

        var stopping = Stopwatch.GetTimestamp();
        await a.StopAsync();
        var stopped = Stopwatch.GetTimestamp();
        var (leasedAt, attempt) = await bLeased.Task.WaitAsync(TimeSpan.FromMinutes(1), Token);
        await context.WaitUntilCompleteAsync("handover:");

        var handOver = Stopwatch.GetElapsedTime(stopping, leasedAt);
        foreach (var (at, line) in lines)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"LOG {Stopwatch.GetElapsedTime(stopping, at).TotalMilliseconds,8:0.0} {line}");
        }

        var afterRelease = Stopwatch.GetElapsedTime(stopped, leasedAt);
        TestContext.Current.SendDiagnosticMessage(
            $"Shutdown hand-over: StopAsync -> other host leasing {handOver.TotalMilliseconds:0} ms (shutdown timeout {shutdownTimeout.TotalMilliseconds:0} ms; StopAsync returned -> leased {afterRelease.TotalMilliseconds:0} ms); lease {lease.TotalMinutes:0} min.");
        var released = lines.First(l => l.Line.Contains("Released task 'long'", StringComparison.Ordinal)).At;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"HANDOVER_MS={handOver.TotalMilliseconds:0} RELEASE_TO_LEASE_MS={Stopwatch.GetElapsedTime(released, leasedAt).TotalMilliseconds:0} AFTER_STOP_RETURNED_MS={afterRelease.TotalMilliseconds:0}");

        Assert.True(aCancelled.Task.IsCompleted, "host A's work saw its token fire at the shutdown timeout");
        Assert.True(handOver < lease - TimeSpan.FromMinutes(1), $"the hand-over took {handOver}, not far from the lease's expiry ({lease})");

        // The release gave the attempt back: host B's lease is the task's first counted attempt.
        Assert.Equal(1, attempt);
        var task = (await context.StoredTasksAsync("handover:1"))[0].AsBsonDocument;
        Assert.Equal("completed", task["status"].AsString);
        Assert.Equal("host-b", task["leaseOwner"].AsString);
        Assert.Equal(1, task["invokeCount"].AsInt32);
        Assert.Equal(2L, task["fencingToken"].ToInt64());
    }

    [Fact]
    public async Task At_shutdown_a_running_task_finishes_within_the_shutdown_timeout_and_is_completed_not_released()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenFired = false;
        async Task Handle(TaskLease lease, CancellationToken cancellationToken)
        {
            started.TrySetResult();
            await Task.Delay(300, CancellationToken.None);
            tokenFired = cancellationToken.IsCancellationRequested;
        }

        await using var host = await context.StartHostAsync(s => s.AddPersistentTaskStatusWorker("finish:", Handle, Options("host-a")), TimeSpan.FromSeconds(60));
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("finish:1", Token);
        await container.AddTaskAsync("step", cancellationToken: Token);
        await container.AddTaskAsync("next", cancellationToken: Token);
        await started.Task.WaitAsync(TimeSpan.FromMinutes(1), Token);

        await host.StopAsync();

        Assert.False(tokenFired);
        var tasks = await context.StoredTasksAsync("finish:1");
        Assert.Equal("completed", tasks[0]["status"].AsString);
        Assert.Equal("host-a", tasks[0]["leaseOwner"].AsString);

        // Stopping means no new work: the second task was never leased.
        Assert.Equal("pending", tasks[1]["status"].AsString);
        Assert.Equal(0, tasks[1]["invokeCount"].AsInt32);
    }

    [Fact]
    public async Task A_handler_that_throws_follows_the_retry_rules_then_the_task_fails_for_good()
    {
        var attempts = new ConcurrentQueue<(string Task, int Attempt, DateTime StartedAt)>();
        Task Handle(TaskLease lease, CancellationToken cancellationToken)
        {
            attempts.Enqueue((lease.TaskName, lease.Attempt, lease.State.LastInvokedAt!.Value));
            if (lease.TaskName == "flaky" && lease.Attempt == 3)
            {
                return Task.CompletedTask;
            }

            throw new InvalidOperationException($"attempt {lease.Attempt} of {lease.TaskName} failed");
        }

        await using var host = await context.StartHostAsync(s => s.AddPersistentTaskStatusWorker("retry:", Handle, Options("host-a", 2)));
        var retryDelay = TimeSpan.FromMilliseconds(200);
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("retry:1", Token);
        await container.AddTaskAsync("broken", new TaskOptions { MaxRetries = 2, RetryDelay = retryDelay }, Token);
        await container.AddTaskAsync("flaky", new TaskOptions { MaxRetries = 2, RetryDelay = retryDelay }, Token);
        await container.AddTaskAsync("after-broken", new TaskOptions { DependsOn = ["broken"] }, Token);
        await context.WaitUntilCompleteAsync("retry:");

        var tasks = (await context.StoredTasksAsync("retry:1")).Select(t => t.AsBsonDocument).ToDictionary(t => t["name"].AsString);

        // MaxRetries = 2: three attempts, then failed for good with the handler's error.
        Assert.Equal("failed", tasks["broken"]["status"].AsString);
        Assert.True(tasks["broken"]["hasFailed"].AsBoolean);
        Assert.Equal(3, tasks["broken"]["invokeCount"].AsInt32);
        Assert.Equal("System.InvalidOperationException", tasks["broken"]["lastError"]["type"].AsString);
        Assert.Equal("attempt 3 of broken failed", tasks["broken"]["lastError"]["message"].AsString);
        Assert.Equal("failed", tasks["after-broken"]["status"].AsString);
        Assert.Equal(0, tasks["after-broken"]["invokeCount"].AsInt32);

        // A task that succeeds at its last attempt completes.
        Assert.Equal("completed", tasks["flaky"]["status"].AsString);
        Assert.Equal(3, tasks["flaky"]["invokeCount"].AsInt32);

        // The handler saw attempts 1, 2, 3, each after the back-off (delay × 2^(attempt−1)) by the database clock.
        foreach (var name in new[] { "broken", "flaky" })
        {
            var runs = attempts.Where(a => a.Task == name).ToList();
            Assert.Equal([1, 2, 3], runs.Select(r => r.Attempt));
            Assert.True(runs[1].StartedAt - runs[0].StartedAt >= retryDelay, $"{name}: second attempt {runs[1].StartedAt - runs[0].StartedAt} after the first");
            Assert.True(runs[2].StartedAt - runs[1].StartedAt >= retryDelay * 2, $"{name}: third attempt {runs[2].StartedAt - runs[1].StartedAt} after the second");
        }
    }

    [Fact]
    public async Task A_typed_handler_and_its_scoped_services_come_from_a_new_scope_per_task_disposed_after_it()
    {
        var journal = new ScopeJournal();
        await using var host = await context.StartHostAsync(s =>
        {
            s.AddSingleton(journal);
            s.AddScoped<ScopedResource>();
            s.AddPersistentTaskStatusWorker<RecordingHandler>("scoped:", Options("host-a", 2));
        });
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("scoped:1", Token);
        await container.AddTasksAsync([.. Enumerable.Range(0, 6).Select(i => new TaskDefinition($"t{i}"))], Token);
        await context.WaitUntilCompleteAsync("scoped:");

        // Each task had a handler and a resource of its own, alive while it ran, disposed once after it.
        var runs = journal.Runs.ToList();
        Assert.Equal(6, runs.Count);
        Assert.Equal(6, runs.Select(r => r.Handler).Distinct().Count());
        Assert.Equal(6, runs.Select(r => r.Resource).Distinct().Count());
        Assert.All(runs, r => Assert.False(r.ResourceDisposedWhileRunning));
        Assert.All(runs, r => Assert.Equal(1, r.Resource.DisposeCount));
        Assert.All(await context.StoredTasksAsync("scoped:1"), t => Assert.Equal("completed", t["status"].AsString));
    }

    [Fact]
    public async Task Invalid_worker_options_stop_the_host_at_start_with_a_message_naming_each_option_and_the_prefix()
    {
        using var host = context.BuildHost(s => s.AddPersistentTaskStatusWorker("bad:", (_, _) => Task.CompletedTask, o =>
        {
            o.MaxDegreeOfParallelism = 0;
            o.PollInterval = TimeSpan.Zero;
            o.LeaseDuration = TimeSpan.FromDays(2);
            o.Owner = " ";
        }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Token));

        Assert.Contains("TaskWorkerOptions.MaxDegreeOfParallelism of the task worker for prefix 'bad:' must be from 1 to 1024 (it is 0)", error.Message);
        Assert.Contains("TaskWorkerOptions.PollInterval", error.Message);
        Assert.Contains("TaskWorkerOptions.LeaseDuration", error.Message);
        Assert.Contains("TaskWorkerOptions.Owner", error.Message);
    }

    [Fact]
    public void Registering_two_workers_for_the_same_prefix_is_refused_and_bad_arguments_throw()
    {
        var services = new ServiceCollection();
        services.AddPersistentTaskStatusWorker("same:", (_, _) => Task.CompletedTask);

        var error = Assert.Throws<InvalidOperationException>(() => services.AddPersistentTaskStatusWorker<RecordingHandler>("same:"));
        Assert.Contains("'same:'", error.Message);
        Assert.Throws<ArgumentException>(() => services.AddPersistentTaskStatusWorker(" ", (_, _) => Task.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => services.AddPersistentTaskStatusWorker("other:", null!));

        // Two prefixes: two hosted workers.
        services.AddPersistentTaskStatusWorker<RecordingHandler>("other:", o => o.MaxDegreeOfParallelism = 2);
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)));
    }

    [Fact]
    public async Task Without_change_streams_the_worker_finds_containers_by_polling_the_query_api()
    {
        await using var standalone = await MongoTestServer.StartAsync(new MongoTestServerOptions { Standalone = true }, Token);
        var settings = MongoClientSettings.FromConnectionString(standalone.ConnectionString);
        using var mongo = new MongoClient(settings);
        using var client = new TaskStatusClient(mongo.GetDatabase(context.Database.DatabaseNamespace.DatabaseName));
        var ran = new ConcurrentQueue<string>();
        await using var host = await context.StartHostAsync(
            s => s.AddPersistentTaskStatusWorker("poll:", (lease, _) => { ran.Enqueue(lease.TaskName); return Task.CompletedTask; }, Options("host-a", 2)),
            settings: settings);
        var (container, _) = await client.GetOrCreateTaskContainerAsync("poll:1", Token);
        await container.AddTasksAsync([new("a"), new("b"), new("c", new TaskOptions { DependsOn = ["a", "b"] })], Token);

        await HostingTestContext.WaitUntilAsync(
            async () => (await client.GetTaskContainerAsync("poll:1", Token))!.IsComplete,
            "the container on the standalone server is complete");

        Assert.Equal(3, ran.Count);
        Assert.Equal("c", ran.Last());
    }

    /// <summary>What the scoped handlers saw.</summary>
    public sealed class ScopeJournal
    {
        public ConcurrentQueue<(RecordingHandler Handler, ScopedResource Resource, bool ResourceDisposedWhileRunning)> Runs { get; } = new();
    }

    /// <summary>A scoped service that counts its disposals.</summary>
    public sealed class ScopedResource : IDisposable
    {
        private int disposeCount;

        public int DisposeCount => Volatile.Read(ref disposeCount);

        public void Dispose() => Interlocked.Increment(ref disposeCount);
    }

    /// <summary>A typed handler with a scoped dependency.</summary>
    public sealed class RecordingHandler(ScopedResource resource, ScopeJournal journal) : ITaskHandler
    {
        public async Task HandleAsync(TaskLease lease, CancellationToken cancellationToken)
        {
            await Task.Delay(20, cancellationToken);
            journal.Runs.Enqueue((this, resource, resource.DisposeCount != 0));
        }
    }
}
