using PersistentTaskStatus.TestInfrastructure;
using PersistentTaskStatus.TestServer;

namespace PersistentTaskStatus.Tests.Watching;

[Collection(ServerWideStateCollection.Name)]
public sealed class WatchTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(WatchTests));

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    private static async Task<List<TaskContainer>> CollectAsync(IAsyncEnumerable<TaskContainer> states, int count, TimeSpan timeout)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(timeout);
        var seen = new List<TaskContainer>();
        try
        {
            await foreach (var state in states.WithCancellation(cancel.Token))
            {
                seen.Add(state);
                if (seen.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
        }

        return seen;
    }

    [Fact]
    public async Task A_container_watch_sees_every_change_in_order_while_concurrent_writers_work()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("watched", Token);
        for (var i = 0; i < 4; i++)
        {
            await container.AddTaskAsync($"part-{i}", cancellationToken: Token);
        }

        using var watchCancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var watching = CollectAsync(container.WatchAsync(cancellationToken: watchCancel.Token), count: 40, TimeSpan.FromSeconds(20));
        await Task.Delay(300, Token);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            for (var step = 1; step <= 10; step++)
            {
                await container.UpdateProgressAsync($"part-{i}", step * 10, cancellationToken: Token);
            }
        }));
        var states = await watching;

        Assert.Equal(40, states.Count);
        Assert.All(states, s => Assert.Equal("watched", s.Name));
        Assert.Equal(states.Select(s => s.UpdatedAt).Order(), states.Select(s => s.UpdatedAt));
        for (var i = 0; i < 4; i++)
        {
            var progress = states.Select(s => s.Tasks[i].PercentageComplete).ToList();
            Assert.Equal(progress.Order(), progress);
            Assert.Equal(100, progress[^1]);
        }
    }

    /// <summary>Writes a new progress until <paramref name="seen"/> completes, so that a watch that opens late still sees one.</summary>
    private static async Task<TaskContainer> KeepChangingUntilSeenAsync(TaskContainer container, string task, Task<TaskContainer> seen)
    {
        for (var step = 1; !seen.IsCompleted && step < 1000; step++)
        {
            await container.UpdateProgressAsync(task, step / 10.0, cancellationToken: Token);
            await Task.WhenAny(seen, Task.Delay(50, Token));
        }

        return await seen;
    }

    private static async Task<TaskContainer> FirstAsync(IAsyncEnumerable<TaskContainer> states)
    {
        await foreach (var state in states)
        {
            return state;
        }

        throw new InvalidOperationException("The watch ended without a state.");
    }

    [Fact]
    public async Task Watching_a_container_with_only_a_token_yields_its_changes_and_not_its_current_state()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("token-only", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMinutes(1));

        var first = await KeepChangingUntilSeenAsync(container, "t", FirstAsync(container.WatchAsync(cancel.Token)));

        Assert.Equal("token-only", first.Name);
        Assert.True(first.Tasks[0].PercentageComplete > 0, "the first state yielded was the state before any change");
    }

    [Fact]
    public async Task Watching_every_container_with_only_a_token_yields_their_changes()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("all-token-only", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMinutes(1));

        var first = await KeepChangingUntilSeenAsync(container, "t", FirstAsync(context.Client.WatchAsync(cancel.Token)));

        Assert.Equal("all-token-only", first.Name);
        Assert.True(first.Tasks[0].PercentageComplete > 0);
    }

    [Fact]
    public async Task A_container_watch_ends_when_the_container_is_deleted()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("short-lived", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await using var states = container.WatchAsync(cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = states.MoveNextAsync();
        await Task.Delay(300, Token);

        await container.UpdateProgressAsync("t", 50, cancellationToken: Token);
        Assert.True(await next);
        var seen = states.Current;
        await context.Client.DeleteTaskContainerAsync("short-lived", Token);
        var more = await states.MoveNextAsync();

        Assert.Equal(50, seen.Tasks[0].PercentageComplete);
        Assert.False(more);
        Assert.False(timeout.IsCancellationRequested);
    }

    [Fact]
    public async Task A_client_watch_with_a_prefix_sees_only_the_matching_containers()
    {
        var watching = CollectAsync(context.Client.WatchAsync("epf-import:", Token), count: 2, TimeSpan.FromSeconds(20));
        await Task.Delay(300, Token);

        await context.Client.GetOrCreateTaskContainerAsync("other-job:1", Token);
        var (run, _) = await context.Client.GetOrCreateTaskContainerAsync("epf-import:2026-11-28", Token);
        await context.Client.GetOrCreateTaskContainerAsync("other-job:2", Token);
        await run.AddTaskAsync("download", cancellationToken: Token);
        var states = await watching;

        Assert.Equal(["epf-import:2026-11-28", "epf-import:2026-11-28"], states.Select(s => s.Name));
        Assert.Equal(1, states[1].TaskCount);
    }

    [Fact]
    public async Task The_watch_resumes_by_itself_after_an_injected_getMore_error_without_skipping_or_repeating_a_change()
    {
        var settings = fixture.CreateClientSettings();
        settings.ApplicationName = "watch-fault-" + Guid.NewGuid().ToString("N")[..8];
        using var watcherMongo = new MongoClient(settings);
        using var watcherClient = new TaskStatusClient(watcherMongo.GetDatabase(context.Database.DatabaseNamespace.DatabaseName));
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("faulty", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        var watched = (await watcherClient.GetTaskContainerAsync("faulty", Token))!;
        var admin = context.MongoClient.GetDatabase("admin");
        // Asks for one more state than there will be changes: a repeated change would show up as an eleventh.
        var watching = CollectAsync(watched.WatchAsync(cancellationToken: Token), count: 11, TimeSpan.FromSeconds(6));
        await Task.Delay(300, Token);
        try
        {
            await admin.RunCommandAsync<BsonDocument>(new BsonDocument
            {
                { "configureFailPoint", "failCommand" },
                { "mode", new BsonDocument("times", 2) },
                { "data", new BsonDocument { { "failCommands", new BsonArray { "getMore" } }, { "errorCode", 6 }, { "appName", settings.ApplicationName } } },
            }, cancellationToken: Token);
            for (var step = 1; step <= 10; step++)
            {
                await container.UpdateProgressAsync("t", step * 10, cancellationToken: Token);
                await Task.Delay(30, Token);
            }

            var states = await watching;

            // One state per committed change: ten changes, ten states, none skipped or repeated. (Each state is the
            // document when the change was read, as "updateLookup" gives it, so it may already hold a later change.)
            Assert.Equal(10, states.Count);
            var progress = states.Select(s => s.Tasks[0].PercentageComplete).ToList();
            Assert.Equal(progress.Order(), progress);
            Assert.Equal(100, progress[^1]);
        }
        finally
        {
            await admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "configureFailPoint", "failCommand" }, { "mode", "off" } }, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task On_a_standalone_server_the_watch_falls_back_to_polling_without_configuration()
    {
        await using var standalone = await MongoTestServer.StartAsync(new MongoTestServerOptions { Standalone = true }, Token);
        using var mongo = new MongoClient(standalone.ConnectionString);
        using var client = new TaskStatusClient(mongo.GetDatabase("standalone"), new TaskStatusOptions { WatchPollInterval = TimeSpan.FromMilliseconds(50) });
        var (container, _) = await client.GetOrCreateTaskContainerAsync("polled", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        var watching = CollectAsync(container.WatchAsync(cancellationToken: Token), count: 2, TimeSpan.FromSeconds(20));
        await Task.Delay(300, Token);

        await container.UpdateProgressAsync("t", 30, cancellationToken: Token);
        await Task.Delay(300, Token);
        await container.UpdateProgressAsync("t", 60, cancellationToken: Token);
        var states = await watching;

        Assert.Equal([30.0, 60.0], states.Select(s => s.Tasks[0].PercentageComplete));
    }
}
