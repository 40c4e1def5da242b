using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using MongoDB.Driver.Core.Events;
using PersistentTaskStatus.TestInfrastructure;
using PersistentTaskStatus.TestServer;

namespace PersistentTaskStatus.Tests.Watching;

// Watches past MongoDB's limits: change events over 16 MB (https://www.mongodb.com/docs/manual/reference/operator/aggregation/changeStreamSplitLargeEvent/:
// "If a change stream has large events that exceed 16 MB, a BSONObjectTooLarge exception is returned"), and a watch
// idle for longer than the oplog keeps (ChangeStreamHistoryLost when resuming from an event that left it).
[Collection(ServerWideStateCollection.Name)]
public sealed partial class WatchLimitsTests(MongoFixture fixture)
{
    private const int EventLimit = 16 * 1024 * 1024 + 16 * 1024;

    private static CancellationToken Token => LibraryTestContext.Token;

    private static BsonDocument Blob(int megabytes, double extra = 0) =>
        new("blob", new BsonBinaryData(new byte[(int)((megabytes + extra) * 1024 * 1024)]));

    [GeneratedRegex(@"BSONObj size: (\d+)")]
    private static partial Regex TooLargeSize();

    /// <summary>A client of its own on <paramref name="connectionString"/>, recording its change stream replies and failures.</summary>
    private sealed class Watcher : IDisposable
    {
        public Watcher(string connectionString, string databaseName, TimeSpan pollInterval)
        {
            var settings = MongoClientSettings.FromConnectionString(connectionString);
            settings.ApplicationName = "watcher-" + Guid.NewGuid().ToString("N")[..8];
            settings.ClusterConfigurator = builder => builder
                .Subscribe<CommandStartedEvent>(e =>
                {
                    if (e.CommandName == "aggregate")
                    {
                        Opened.Enqueue(e.Command.DeepClone().AsBsonDocument);
                    }
                })
                .Subscribe<CommandSucceededEvent>(e =>
                {
                    if (e.CommandName is "getMore" or "aggregate" && e.Reply.TryGetValue("cursor", out var cursor))
                    {
                        var batch = cursor.AsBsonDocument.GetValue("nextBatch", null) ?? cursor.AsBsonDocument.GetValue("firstBatch", new BsonArray());
                        foreach (var change in batch.AsBsonArray)
                        {
                            Events.Enqueue(change.AsBsonDocument.DeepClone().AsBsonDocument);
                        }

                        Replies.Enqueue(DateTime.UtcNow);
                    }
                })
                .Subscribe<CommandFailedEvent>(e =>
                {
                    if (e.CommandName is "getMore" or "aggregate")
                    {
                        Failures.Enqueue((e.Failure as MongoCommandException)?.Code ?? -1);
                    }
                });
            AppName = settings.ApplicationName;
            Mongo = new MongoClient(settings);
            Client = new TaskStatusClient(Mongo.GetDatabase(databaseName), new TaskStatusOptions { WatchPollInterval = pollInterval });
        }

        public string AppName { get; }

        public MongoClient Mongo { get; }

        public TaskStatusClient Client { get; }

        /// <summary>The change events the watch received, as the server sent them.</summary>
        public ConcurrentQueue<BsonDocument> Events { get; } = new();

        /// <summary>When each change stream reply arrived.</summary>
        public ConcurrentQueue<DateTime> Replies { get; } = new();

        /// <summary>The codes of the change stream commands that failed.</summary>
        public ConcurrentQueue<int> Failures { get; } = new();

        public ConcurrentQueue<BsonDocument> Opened { get; } = new();

        public void Dispose()
        {
            Client.Dispose();
            Mongo.Dispose();
        }
    }

    private static Task<TaskContainer> NextAsync(IAsyncEnumerator<TaskContainer> states) => NextAsync(states, states.MoveNextAsync().AsTask());

    /// <summary>
    /// The state a pending <c>MoveNextAsync</c> yields. The watch sends its getMores only while the caller waits for a
    /// state, so a test that needs the watch at work in the background starts the wait first.
    /// </summary>
    private static async Task<TaskContainer> NextAsync(IAsyncEnumerator<TaskContainer> states, Task<bool> pending)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        Assert.True(await pending.WaitAsync(timeout.Token), "the watch ended");
        return states.Current;
    }

    /// <summary>Waits for a condition the watcher's client reaches by itself (a reply, a failure).</summary>
    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(10, Token);
        }
    }

    private static Task SetFailPointAsync(IMongoClient mongo, BsonDocument data, int times) =>
        mongo.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "configureFailPoint", "failCommand" },
            { "mode", new BsonDocument("times", times) },
            { "data", data },
        }, cancellationToken: Token);

    private static Task ClearFailPointAsync(IMongoClient mongo) =>
        mongo.GetDatabase("admin").RunCommandAsync<BsonDocument>(
            new BsonDocument { { "configureFailPoint", "failCommand" }, { "mode", "off" } }, cancellationToken: CancellationToken.None);

    /// <summary>
    /// What the event of <paramref name="step"/> weighs when a change stream keeps everything, as the library's watch
    /// did before it projected its events (a raw stream opened just before the step): its size, or the size MongoDB
    /// reports when it refuses to send it.
    /// </summary>
    private static async Task<(int Bytes, bool TooLarge)> UnprojectedEventAsync(IMongoCollection<BsonDocument> collection, BsonValue id, Func<Task> step)
    {
        var pipeline = PipelineDefinition<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>>.Create(
            [new BsonDocument("$match", new BsonDocument("documentKey._id", id))]);
        using var raw = await collection.WatchAsync(
            pipeline,
            new ChangeStreamOptions { FullDocument = ChangeStreamFullDocumentOption.UpdateLookup, MaxAwaitTime = TimeSpan.FromMilliseconds(500) },
            Token);
        await step();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        try
        {
            while (DateTime.UtcNow < deadline && await raw.MoveNextAsync(Token))
            {
                if (raw.Current.FirstOrDefault() is { } change)
                {
                    return (change.BackingDocument.ToBson().Length, false);
                }
            }
        }
        catch (MongoCommandException ex) when (ex.Code == 10334)
        {
            return (int.Parse(TooLargeSize().Match(ex.ErrorMessage).Groups[1].Value, CultureInfo.InvariantCulture), true);
        }

        throw new TimeoutException("the raw change stream saw no event");
    }

    [Fact]
    public async Task A_container_near_the_16_MB_limit_is_watched_through_large_adds_a_checkpoint_and_the_delete_of_an_early_task()
    {
        var databaseName = MongoFixture.DatabaseNameFor(typeof(WatchLimitsTests));
        using var writer = new TaskStatusClient(fixture.Client.GetDatabase(databaseName));
        using var watcher = new Watcher(fixture.ConnectionString, databaseName, TimeSpan.FromMilliseconds(200));
        var raw = fixture.Client.GetDatabase(databaseName).GetCollection<BsonDocument>(TaskStatusOptions.DefaultCollectionName);
        var (container, _) = await writer.GetOrCreateTaskContainerAsync("near-limit", Token);
        await container.AddTaskAsync("check-feed", cancellationToken: Token);
        var watched = (await watcher.Client.GetTaskContainerAsync("near-limit", Token))!;
        await using var states = watched.WatchAsync(includeCurrentState: true, Token).GetAsyncEnumerator(Token);
        Assert.Single((await NextAsync(states)).Tasks);
        var id = (await raw.Find(new BsonDocument("name", "near-limit")).SingleAsync(Token))["_id"];
        var steps = new (string Name, Func<Task> Run, Action<TaskContainer> Check)[]
        {
            ("add a task with 8.5 MB of data",
                () => container.AddTaskAsync("download", new TaskOptions { TaskData = Blob(8, 0.5) }, Token),
                s => Assert.Equal(8.5 * 1024 * 1024, s.Tasks[1].TaskData!["blob"].AsByteArray.Length)),
            ("add a task with 1.5 MB of data (a 10 MB container)",
                () => container.AddTaskAsync("import", new TaskOptions { TaskData = Blob(1, 0.5) }, Token),
                s => Assert.Equal(3, s.Tasks.Count)),
            ("save a 5 MB checkpoint in the 10 MB container",
                () => container.UpdateTaskAsync("import", new TaskChanges { ProcessingData = Blob(5) }, Token),
                s => Assert.Equal(5 * 1024 * 1024, s.Tasks[2].ProcessingData!["blob"].AsByteArray.Length)),
            ("delete the early task of the 15 MB container",
                () => container.DeleteTaskAsync("check-feed", Token),
                s => Assert.Equal(["download", "import"], s.Tasks.Select(t => t.Name))),
        };

        var report = new List<string>();
        foreach (var (name, run, check) in steps)
        {
            var delivered = watcher.Events.Count;
            var (unprojected, tooLarge) = await UnprojectedEventAsync(raw, id, run);
            var state = await NextAsync(states);
            check(state);
            await UntilAsync(() => watcher.Events.Count > delivered, "the watch's event arrived");
            var change = watcher.Events.Last();
            var bytes = change.ToBson().Length;
            Assert.Equal(["_id", "fullDocument", "operationType"], change.Names.Order(StringComparer.Ordinal));
            Assert.True(bytes <= EventLimit, $"{name}: the event has {bytes} bytes");
            report.Add($"{name}: {bytes:N0} bytes; without the projection {unprojected:N0} bytes{(tooLarge ? " (refused: BSONObjectTooLarge)" : "")}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine("Change event sizes on the near-limit container:" + Environment.NewLine + string.Join(Environment.NewLine, report));
        Assert.Empty(watcher.Failures);
    }

    [Fact]
    public async Task A_watch_that_meets_an_event_too_large_to_send_starts_again_from_now_and_re_reads_the_container()
    {
        var databaseName = MongoFixture.DatabaseNameFor(typeof(WatchLimitsTests));
        using var writer = new TaskStatusClient(fixture.Client.GetDatabase(databaseName));
        using var watcher = new Watcher(fixture.ConnectionString, databaseName, TimeSpan.FromMilliseconds(200));
        var (container, _) = await writer.GetOrCreateTaskContainerAsync("too-large", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        var watched = (await watcher.Client.GetTaskContainerAsync("too-large", Token))!;
        await using var states = watched.WatchAsync(includeCurrentState: true, Token).GetAsyncEnumerator(Token);
        await NextAsync(states);
        await container.UpdateProgressAsync("t", 10, cancellationToken: Token);
        Assert.Equal(10, (await NextAsync(states)).Tasks[0].PercentageComplete);
        try
        {
            // MongoDB's answer to a getMore whose next event is too large; the driver does not resume on it.
            var pending = states.MoveNextAsync().AsTask();
            await SetFailPointAsync(fixture.Client, new BsonDocument { { "failCommands", new BsonArray { "getMore" } }, { "errorCode", 10334 }, { "appName", watcher.AppName } }, times: 1);
            await UntilAsync(() => !watcher.Failures.IsEmpty, "the getMore failed");
            var reread = await NextAsync(states, pending);
            await container.UpdateProgressAsync("t", 30, cancellationToken: Token);
            await container.UpdateProgressAsync("t", 60, cancellationToken: Token);

            var seen = new List<double> { reread.Tasks[0].PercentageComplete };
            while (seen[^1] < 60)
            {
                seen.Add((await NextAsync(states)).Tasks[0].PercentageComplete);
            }

            Assert.Equal(10334, Assert.Single(watcher.Failures));
            // The re-read state comes first; then the changes after it ("updateLookup" reads the document when the
            // event is read, so the state of 30 % may already show 60 %).
            Assert.Equal(10, seen[0]);
            Assert.Equal(seen.Order(), seen);
            var reopened = watcher.Opened.Last()["pipeline"][0]["$changeStream"].AsBsonDocument;
            Assert.False(reopened.Contains("resumeAfter"));
        }
        finally
        {
            await ClearFailPointAsync(fixture.Client);
        }
    }

    [Fact]
    public async Task A_watch_of_every_container_that_meets_an_event_too_large_re_reads_the_containers_changed_since_its_last_state()
    {
        var databaseName = MongoFixture.DatabaseNameFor(typeof(WatchLimitsTests));
        using var writer = new TaskStatusClient(fixture.Client.GetDatabase(databaseName));
        using var watcher = new Watcher(fixture.ConnectionString, databaseName, TimeSpan.FromMilliseconds(200));
        await using var states = watcher.Client.WatchAsync("job:", Token).GetAsyncEnumerator(Token);
        var opening = states.MoveNextAsync().AsTask();
        await UntilAsync(() => !watcher.Replies.IsEmpty, "the watch opened its change stream");
        var (first, _) = await writer.GetOrCreateTaskContainerAsync("job:1", Token);
        Assert.Equal("job:1", (await NextAsync(states, opening)).Name);
        try
        {
            var pending = states.MoveNextAsync().AsTask();
            await SetFailPointAsync(fixture.Client, new BsonDocument { { "failCommands", new BsonArray { "getMore" } }, { "errorCode", 10334 }, { "appName", watcher.AppName } }, times: 1);
            await UntilAsync(() => !watcher.Failures.IsEmpty, "the getMore failed");
            await writer.GetOrCreateTaskContainerAsync("job:2", Token);
            await first.AddTaskAsync("t", cancellationToken: Token);

            var state = await NextAsync(states, pending);
            var seen = new List<(string Name, int Tasks)> { (state.Name, state.TaskCount) };
            while (!seen.Contains(("job:1", 1)) || !seen.Contains(("job:2", 0)))
            {
                state = await NextAsync(states);
                seen.Add((state.Name, state.TaskCount));
            }

            Assert.Equal(10334, Assert.Single(watcher.Failures));
        }
        finally
        {
            await ClearFailPointAsync(fixture.Client);
        }
    }

    [Fact]
    public async Task A_watch_idle_for_longer_than_the_change_log_keeps_resumes_from_its_post_batch_token_and_stays_current()
    {
        await using var server = await MongoTestServer.StartAsync(new MongoTestServerOptions { ChangeLogMaxBytes = 64 * 1024 }, Token);
        using var mongo = new MongoClient(server.ConnectionString);
        using var writer = new TaskStatusClient(mongo.GetDatabase("idle"));
        using var watcher = new Watcher(server.ConnectionString, "idle", TimeSpan.FromMilliseconds(100));
        var (container, _) = await writer.GetOrCreateTaskContainerAsync("quiet", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        var watched = (await watcher.Client.GetTaskContainerAsync("quiet", Token))!;
        await using var states = watched.WatchAsync(includeCurrentState: true, Token).GetAsyncEnumerator(Token);
        await NextAsync(states);
        await container.UpdateProgressAsync("t", 10, cancellationToken: Token);
        Assert.Equal(10, (await NextAsync(states)).Tasks[0].PercentageComplete);

        // Other work fills the change log four times over while this container stays idle; the watch's getMores go
        // on returning nothing, each with a newer post-batch token.
        var pending = states.MoveNextAsync().AsTask();
        await mongo.GetDatabase("idle").GetCollection<BsonDocument>("other").InsertManyAsync(
            Enumerable.Range(0, 128).Select(i => new BsonDocument { { "_id", i }, { "pad", new string('x', 2000) } }),
            cancellationToken: Token);
        var rolledAt = DateTime.UtcNow;
        await UntilAsync(() => watcher.Replies.Any(r => r > rolledAt), "a getMore answered after the log rolled");
        await SetFailPointAsync(mongo, new BsonDocument { { "failCommands", new BsonArray { "getMore" } }, { "errorCode", 6 }, { "appName", watcher.AppName } }, times: 1);
        await UntilAsync(() => !watcher.Failures.IsEmpty, "the getMore failed");
        await container.UpdateProgressAsync("t", 20, cancellationToken: Token);

        var next = await NextAsync(states, pending);

        Assert.Equal(20, next.Tasks[0].PercentageComplete);
        Assert.Equal(6, Assert.Single(watcher.Failures));
        Assert.True(watcher.Opened.Last()["pipeline"][0]["$changeStream"].AsBsonDocument.Contains("resumeAfter"));
    }
}
