using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PersistentTaskStatus.Dashboard.Live;
using PersistentTaskStatus.Dashboard.Rendering;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Http;

/// <summary>The event stream on the wire: resume by Last-Event-ID, coalescing, heartbeats, the shared watch's life.</summary>
public sealed class EventStreamTests(MongoFixture fixture) : IAsyncDisposable
{
    private readonly DashboardTestContext context = new(fixture, typeof(EventStreamTests));
    private readonly HttpClient http = new();

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await context.DisposeAsync();
    }

    [Fact]
    public async Task A_page_that_reconnects_with_its_last_event_id_gets_only_the_tasks_changed_since_and_an_old_id_gets_all()
    {
        var run = await context.ContainerAsync("run", TaskRunStatus.Pending, TaskRunStatus.Pending, TaskRunStatus.Pending);
        var host = await context.StartHostAsync();

        // A later task, past the resume margin: the position of a page is then well after the first three.
        var earlier = run.UpdatedAt;
        await WaitUntilAsync(() => DateTime.UtcNow > earlier + Feed.ResumeMargin + TimeSpan.FromSeconds(1), "the resume margin passed");
        await run.AddTaskAsync("t3", cancellationToken: Token);
        var created = run.UpdatedAt;
        var url = host.Url + "events?run=run&v=" + Formats.UnixMilliseconds(created).ToString(CultureInfo.InvariantCulture);

        string position;
        await using (var stream = await EventStreamReader.OpenAsync(http, url))
        {
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType!.MediaType);
            Assert.True(stream.Response.Headers.CacheControl!.NoStore);
            var first = await stream.NextAsync("update");
            Assert.Equal(["t3"], first.RowKeys);
            Assert.Equal(4, first.Json().GetProperty("count").GetInt32());
            Assert.Equal(RunFeed.NamesHash(run.Tasks), first.Json().GetProperty("hash").GetUInt32());
            Assert.Contains("<h1>run</h1>", first.Json().GetProperty("summary").GetString(), StringComparison.Ordinal);
            position = first.Id!;
            Assert.Equal(Formats.UnixMilliseconds(created).ToString(CultureInfo.InvariantCulture), position);
        }

        // While the page is away, one task changes.
        await run.UpdateProgressAsync("t1", 30, "while away", Token);
        await using (var stream = await EventStreamReader.OpenAsync(http, url, lastEventId: position))
        {
            var resumed = await stream.NextAsync("update");
            Assert.Contains("t1", resumed.RowKeys);
            Assert.DoesNotContain("t0", resumed.RowKeys);
            Assert.DoesNotContain("t2", resumed.RowKeys);
            Assert.Contains("while away", resumed.Json().GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == "t1").GetProperty("html").GetString(), StringComparison.Ordinal);
            Assert.True(long.Parse(resumed.Id!, CultureInfo.InvariantCulture) > long.Parse(position, CultureInfo.InvariantCulture));
        }

        // An id from long ago (or none and no page position): every task.
        await using (var stream = await EventStreamReader.OpenAsync(http, url, lastEventId: "1"))
        {
            Assert.Equal(["t0", "t1", "t2", "t3"], (await stream.NextAsync("update")).RowKeys);
        }

        await using (var stream = await EventStreamReader.OpenAsync(http, host.Url + "events?run=run"))
        {
            Assert.Equal(["t0", "t1", "t2", "t3"], (await stream.NextAsync("update")).RowKeys);
        }
    }

    [Fact]
    public async Task Changes_within_the_update_interval_reach_a_page_together_the_latest_state_winning_and_an_idle_stream_gets_heartbeats()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var run = await context.ContainerAsync("run", TaskRunStatus.Running);
        var host = await context.StartHostAsync(new HostSettings
        {
            Library = o => o.TimeProvider = time,
            Dashboard = o => o.HeartbeatInterval = TimeSpan.FromSeconds(15),
        });
        await using var stream = await EventStreamReader.OpenAsync(http, host.Url + "events?run=run");
        await stream.NextAsync("update");
        Assert.Equal("{\"live\":true}", (await stream.NextAsync("status")).Data);

        // Once the watch's stream is open, a first change reaches the page at once (no interval has run yet).
        await WaitUntilAsync(() => host.ChangeStreamsOpened == 1, "the change stream opened");
        await run.UpdateProgressAsync("t0", 50, "step 0", Token);
        while (!RowHtml(await stream.NextAsync("update")).Contains("step 0", StringComparison.Ordinal))
        {
        }

        // Ten changes within the interval (the clock stands still until the test moves it).
        var published = host.Watch.Published;
        for (var i = 1; i <= 10; i++)
        {
            await run.UpdateProgressAsync("t0", 50 + i, $"step {i}", Token);
        }

        await WaitUntilAsync(() => host.Watch.Published >= published + 10, "the watch handed out all ten changes");

        // They reach the page as one update, the last state.
        var update = await AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(250), stream.NextAsync("update"));
        Assert.Equal(["t0"], update.RowKeys);
        Assert.Contains("step 10", RowHtml(update), StringComparison.Ordinal);
        Assert.Contains("value=\"60\"", RowHtml(update), StringComparison.Ordinal);

        // Nothing more happens: after the heartbeat interval, a comment line.
        var next = await AdvanceUntilAsync(time, TimeSpan.FromSeconds(15), stream.ReadAsync());
        Assert.True(next!.IsComment, $"Expected a heartbeat, got {next}");
        Assert.Equal("keep-alive", next.Comment);
    }

    [Fact]
    public async Task The_watch_starts_with_the_first_page_stops_a_while_after_the_last_and_starts_again_with_the_next()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await context.ContainerAsync("run", TaskRunStatus.Pending);
        var host = await context.StartHostAsync(new HostSettings { Library = o => o.TimeProvider = time });
        Assert.False(host.Watch.IsRunning);

        await using (var stream = await EventStreamReader.OpenAsync(http, host.Url + "events"))
        {
            await stream.NextAsync("status");
            Assert.True(host.Watch.IsRunning);
            await WaitUntilAsync(() => host.ChangeStreamsOpened == 1, "the change stream opened");
        }

        await WaitUntilAsync(() => host.Watch.SubscriberCount == 0, "the page's stream closed");
        Assert.True(host.Watch.IsRunning);
        await AdvanceUntilAsync(time, SharedWatch.Linger, WaitUntilAsync(() => !host.Watch.IsRunning, "the watch stopped"));

        await using (var stream = await EventStreamReader.OpenAsync(http, host.Url + "events"))
        {
            await stream.NextAsync("status");
            await WaitUntilAsync(() => host.ChangeStreamsOpened == 2, "a new change stream opened");
        }

        Assert.Equal(2, host.Watch.Starts);
    }

    [Fact]
    public async Task A_page_that_connected_before_the_watchs_stream_was_open_reads_afresh_once_it_is()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await context.ContainerAsync("run", TaskRunStatus.Pending);
        var host = await context.StartHostAsync(new HostSettings { Library = o => o.TimeProvider = time });

        // The page read the run before the stream opened: a change in between would not come through the stream.
        await using var early = await EventStreamReader.OpenAsync(http, host.Url + "events?run=run");
        await early.NextAsync("update");
        await early.NextAsync("status");
        await WaitUntilAsync(() => host.ChangeStreamsOpened == 1, "the change stream opened");

        // Once the stream counts as open (no change came, so after the settle time), the page reads again.
        var again = await AdvanceUntilAsync(time, SharedWatch.SettleTime, early.NextAsync("update"));
        Assert.Equal("{\"live\":true}", (await early.NextAsync("status")).Data);
        Assert.Empty(again.RowKeys);
        Assert.Equal(1, again.Json().GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_watch_that_fails_tells_the_pages_starts_again_and_the_pages_read_what_changed_meanwhile()
    {
        var run = await context.ContainerAsync("run", TaskRunStatus.Running);
        var host = await context.StartHostAsync();
        var admin = context.Fixture.Client.GetDatabase("admin");
        await admin.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "configureFailPoint", "failCommand" },
            { "mode", new BsonDocument("times", 1) },
            { "data", new BsonDocument { { "failCommands", new BsonArray { "aggregate" } }, { "errorCode", 2 }, { "appName", host.ApplicationName } } },
        }, cancellationToken: Token);
        try
        {
            await using var stream = await EventStreamReader.OpenAsync(http, host.Url + "events?run=run");
            await stream.NextAsync("update");
            Assert.Equal("{\"live\":true}", (await stream.NextAsync("status")).Data);

            // The watch's first aggregate fails with an error that is not transient: the page hears of it.
            Assert.Equal("{\"live\":false}", (await stream.NextAsync("status")).Data);
            await run.UpdateProgressAsync("t0", 64, "written while the watch was down", Token);

            // It starts again by itself; once its stream is open, the page reads what it missed and is live again.
            StreamItem update;
            do
            {
                update = await stream.NextAsync("update");
            }
            while (!update.RowKeys.Contains("t0"));

            Assert.Contains("written while the watch was down", update.Json().GetProperty("rows")[0].GetProperty("html").GetString(), StringComparison.Ordinal);
            Assert.Equal("{\"live\":true}", (await stream.NextAsync("status")).Data);
            Assert.Equal(1, host.ChangeStreamsOpened);
            Assert.Equal(1, host.Watch.Starts);
        }
        finally
        {
            await admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "configureFailPoint", "failCommand" }, { "mode", "off" } }, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task Stopping_the_application_ends_open_streams_instead_of_waiting_for_them()
    {
        await context.ContainerAsync("run", TaskRunStatus.Pending);

        // Far longer than the wait below: a stream that outlived the stop would hold it up that long.
        var host = await context.StartHostAsync(new HostSettings
        {
            Services = s => s.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(10)),
        });
        await using var stream = await EventStreamReader.OpenAsync(http, host.Url + "events?run=run");
        await stream.NextAsync("status");

        var stopping = host.DisposeAsync().AsTask();
        while (await stream.ReadAsync(TimeSpan.FromSeconds(90)) is not null)
        {
        }

        await stopping;
    }

    [Fact]
    public async Task A_run_that_is_gone_says_so_on_its_stream()
    {
        var host = await context.StartHostAsync();
        await using var stream = await EventStreamReader.OpenAsync(http, host.Url + "events?run=deleted");
        var gone = await stream.NextAsync("gone");
        Assert.Contains("no longer exists", gone.Json().GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_cannot_keep_up_is_marked_to_read_afresh_instead_of_holding_the_watch_up()
    {
        using var client = new TaskStatusClient(context.Fixture.Client.GetDatabase(context.DatabaseName));
        var watch = new SharedWatch(client);
        using var subscription = new SharedWatch.Subscription(watch, _ => true);
        var state = (await context.Client.GetOrCreateTaskContainerAsync("run", Token)).Container;
        for (var i = 0; i < SharedWatch.SubscriberCapacity; i++)
        {
            subscription.Offer(state);
        }

        Assert.False(subscription.TakeOverflow());
        subscription.Offer(state);
        Assert.True(subscription.TakeOverflow());
        Assert.False(subscription.TakeOverflow());
        Assert.Equal(SharedWatch.SubscriberCapacity, subscription.Events.Count);
    }

    private static string RowHtml(StreamItem update) =>
        string.Concat(update.Json().GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("html").GetString()));

    /// <summary>Moves the fake clock on, a step at a time, until <paramref name="task"/> completes.</summary>
    private static async Task<T> AdvanceUntilAsync<T>(FakeTimeProvider time, TimeSpan step, Task<T> task)
    {
        while (!task.IsCompleted)
        {
            time.Advance(step);
            await Task.WhenAny(task, Task.Delay(50, Token));
        }

        return await task;
    }

    private static async Task AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Task task) =>
        await AdvanceUntilAsync(time, step, task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default));
}
