using Microsoft.Playwright;
using PersistentTaskStatus.Dashboard.Rendering;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Browser;

/// <summary>Pages that change as the workers write, without a reload, all fed by one change stream.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveUpdateTests(MongoFixture fixture, BrowserFixture browser) : IAsyncDisposable
{
    private readonly DashboardTestContext context = new(fixture, typeof(LiveUpdateTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task A_progress_bar_moves_live_on_the_run_and_the_list_as_a_worker_reports_without_a_reload()
    {
        const string Name = "feed-import:2026-11-28T16:00Z";
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync(Name, Token);
        await container.AddTaskAsync("download", cancellationToken: Token);
        await container.AddTaskAsync("import", new TaskOptions { DependsOn = ["download"] }, Token);
        var host = await context.StartHostAsync();
        await using var list = await PageProbe.OpenAsync(browser.Browser);
        await using var run = await PageProbe.OpenAsync(browser.Browser);
        await list.GotoLiveAsync(host.Url);
        await run.GotoLiveAsync(host.RunUrl(Name));
        await list.Page.EvaluateAsync("() => window.sameDocument = true");
        await run.Page.EvaluateAsync("() => window.sameDocument = true");
        Assert.Equal("0", await run.ProgressOfAsync("download"));

        await using (var lease = await container.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(1), Token))
        {
            Assert.NotNull(lease);
            await lease.ReportProgressAsync(37.5, "375 of 1000 MB", cancellationToken: Token);
            await container.RefreshAsync(Token);
            await ExpectProgressAsync(run, "download", "37.5");
            await ExpectProgressAsync(list, Name, Formats.ProgressValue(container.PercentageComplete));
            var row = run.Row("download");
            Assert.Equal("375 of 1000 MB", await row.Locator(".status-text").TextContentAsync());
            Assert.Equal("Running", await row.Locator(".badge").First.TextContentAsync());
            Assert.StartsWith("worker-1", await row.Locator(".c-lease").TextContentAsync(), StringComparison.Ordinal);
            Assert.Equal(Formats.Percentage(container.PercentageComplete), await run.Page.Locator("[data-summary] .meter span").TextContentAsync());
            Assert.Equal("1", await run.Page.Locator("[data-count=running]").TextContentAsync());

            await lease.ReportProgressAsync(80, "800 of 1000 MB", cancellationToken: Token);
            await ExpectProgressAsync(run, "download", "80");
            await lease.CompleteAsync(cancellationToken: Token);
        }

        await container.RefreshAsync(Token);
        await ExpectProgressAsync(run, "download", "100");
        await ExpectProgressAsync(list, Name, Formats.ProgressValue(container.PercentageComplete));
        Assert.Equal("Completed", await run.Row("download").Locator(".badge").First.TextContentAsync());
        Assert.Equal("1", await run.Page.Locator("[data-count=completed]").TextContentAsync());
        Assert.True(await list.Page.EvaluateAsync<bool>("() => window.sameDocument === true"), "The runs list reloaded.");
        Assert.True(await run.Page.EvaluateAsync<bool>("() => window.sameDocument === true"), "The run's page reloaded.");
        await run.ScreenshotAsync("run-live");
        await list.AssertCleanAsync();
        await run.AssertCleanAsync();
    }

    [Fact]
    public async Task A_task_added_while_the_page_is_open_appears_in_its_place_and_a_new_run_at_the_top_of_the_list()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("growing", Token);
        await container.AddTaskAsync("check-feed", cancellationToken: Token);
        await context.ContainerAsync("older", TaskRunStatus.Completed);
        var host = await context.StartHostAsync();
        await using var list = await PageProbe.OpenAsync(browser.Browser);
        await using var run = await PageProbe.OpenAsync(browser.Browser);
        await list.GotoLiveAsync(host.Url);
        await run.GotoLiveAsync(host.RunUrl("growing"));
        Assert.Equal(["older", "growing"], await list.RowKeysAsync());

        // The feed check plans the next steps, as in the sample.
        await container.AddTasksAsync(
        [
            new("download a.csv", new TaskOptions { DependsOn = ["check-feed"] }),
            new("download b.csv", new TaskOptions { DependsOn = ["check-feed"] }),
            new("import", new TaskOptions { DependsOn = ["download a.csv", "download b.csv"] }),
        ], Token);
        await WaitUntilAsync(async () => (await run.RowKeysAsync()).Length == 4, "the new tasks appear");
        Assert.Equal(["check-feed", "download a.csv", "download b.csv", "import"], await run.RowKeysAsync());
        Assert.Equal("4", await run.Page.Locator("[data-count='']").TextContentAsync());
        Assert.Equal("after download a.csv, download b.csv", await run.Row("import").Locator(".sub").First.TextContentAsync());

        await context.ContainerAsync("newest", TaskRunStatus.Pending);
        await WaitUntilAsync(async () => (await list.RowKeysAsync()).Length == 3, "the new run appears");
        Assert.Equal("newest", (await list.RowKeysAsync())[0]);
        await list.AssertCleanAsync();
        await run.AssertCleanAsync();
    }

    [Fact]
    public async Task One_change_stream_feeds_one_open_page_and_twenty_and_every_page_sees_the_change()
    {
        const int Pages = 20;
        await context.ContainerAsync("shared", TaskRunStatus.Running);
        var host = await context.StartHostAsync();
        Assert.Equal(0, host.ChangeStreamsOpened);

        var pages = new List<PageProbe>();
        try
        {
            pages.Add(await PageProbe.OpenAsync(browser.Browser));
            await pages[0].GotoLiveAsync(host.RunUrl("shared"));
            await WaitUntilAsync(() => host.ChangeStreamsOpened == 1, "the watch opened its change stream");
            var withOne = host.ChangeStreamsOpened;
            Assert.Equal(1, host.Watch.SubscriberCount);

            // Each page in a browser context of its own, so each holds its own connection (a browser keeps at
            // most six per host); half of them on the run, half on the list; four opening at a time.
            using (var opening = new SemaphoreSlim(4))
            {
                pages.AddRange(await Task.WhenAll(Enumerable.Range(1, Pages - 1).Select(async i =>
                {
                    await opening.WaitAsync(Token);
                    try
                    {
                        var page = await PageProbe.OpenAsync(browser.Browser, width: 1024, height: 600);
                        await page.GotoLiveAsync(i % 2 == 0 ? host.RunUrl("shared") : host.Url);
                        return page;
                    }
                    finally
                    {
                        opening.Release();
                    }
                })));
            }

            Assert.Equal(Pages, host.Watch.SubscriberCount);
            var withTwenty = host.ChangeStreamsOpened;

            var shared = await context.Client.GetTaskContainerAsync("shared", Token);
            await shared!.UpdateProgressAsync("t0", 73, "seen by all", Token);
            await Task.WhenAll(pages.Select((page, i) => ExpectProgressAsync(page, i % 2 == 0 ? "t0" : "shared", "73")));

            Assert.Equal(1, withOne);
            Assert.Equal(1, withTwenty);
            Assert.Equal(1, host.ChangeStreamsOpened);
            Assert.Equal(1, host.Watch.Starts);
            Figures.Record("change streams opened with 1 open page", withOne.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Figures.Record($"change streams opened with {Pages} open pages", withTwenty.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var page in pages)
            {
                await page.AssertCleanAsync();
            }
        }
        finally
        {
            foreach (var page in pages)
            {
                await page.DisposeAsync();
            }
        }

        await WaitUntilAsync(() => host.Watch.SubscriberCount == 0, "every page's stream closed");
    }

    private static Task ExpectProgressAsync(PageProbe page, string key, string value) =>
        page.Row(key).Locator($"progress[value=\"{value}\"]").WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
}
