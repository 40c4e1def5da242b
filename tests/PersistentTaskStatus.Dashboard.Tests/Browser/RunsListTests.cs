using System.Globalization;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Browser;

/// <summary>The runs list in the browser: its state tabs, name prefix, "changed since", and paging.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RunsListTests(MongoFixture fixture, BrowserFixture browser) : IAsyncDisposable
{
    private readonly DashboardTestContext context = new(fixture, typeof(RunsListTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task The_state_tabs_the_name_prefix_and_changed_since_select_the_runs_as_the_query_API_does()
    {
        await context.ContainerAsync("import:done", TaskRunStatus.Completed);
        await context.FailedRunAsync("import:broken");
        await context.ContainerAsync("import:busy", TaskRunStatus.Completed, TaskRunStatus.Running);
        // A time, to the millisecond as BSON keeps it, strictly after the first group's writes and before the second's.
        var now = DateTime.UtcNow;
        var between = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc).AddMilliseconds(2);
        await WaitUntilAsync(() => DateTime.UtcNow > between.AddMilliseconds(2), "the clock moved past the time between the groups");
        await context.ContainerAsync("export:waiting", TaskRunStatus.Pending);
        await context.ContainerAsync("export:stuck", TaskRunStatus.Running);

        // Running tasks stall after a second without progress, so the Stalled tab has something to show.
        var host = await context.StartHostAsync(new HostSettings { Library = o => o.StallAfter = TimeSpan.FromSeconds(1) });
        await WaitUntilAsync(
            async () => (await host.DashboardClient.QueryTaskContainersAsync(new TaskContainerQuery { State = TaskContainerStates.Stalled }, Token)).Containers.Count == 2,
            "both running runs count as stalled");
        await using var probe = await PageProbe.OpenAsync(browser.Browser);

        await probe.GotoLiveAsync(host.Url);
        Assert.Equal(await QueryAsync(host, new TaskContainerQuery()), await probe.RowKeysAsync());
        Assert.Equal(5, (await probe.RowKeysAsync()).Length);

        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Failed", Exact = true }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Contains("state=failed", probe.Page.Url, StringComparison.Ordinal);
        Assert.Equal(["import:broken"], await probe.RowKeysAsync());

        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Complete", Exact = true }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(["import:done"], await probe.RowKeysAsync());

        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Stalled", Exact = true }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(["export:stuck", "import:busy"], await probe.RowKeysAsync());
        Assert.Equal("1 stalled", await probe.Row("export:stuck").Locator(".badge.stalled").TextContentAsync());

        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Incomplete", Exact = true }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(await QueryAsync(host, new TaskContainerQuery { State = TaskContainerStates.Incomplete }), await probe.RowKeysAsync());
        Assert.Equal(["export:stuck", "export:waiting", "import:busy"], (await probe.RowKeysAsync()).Order(StringComparer.Ordinal));

        // The prefix keeps the state tab.
        await probe.Page.GetByLabel("Name starts with").FillAsync("import:");
        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(["import:busy"], await probe.RowKeysAsync());
        Assert.Equal("import:", await probe.Page.GetByLabel("Name starts with").InputValueAsync());

        // "Changed since" a time between the two groups, as the query string carries it.
        var since = between.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        await probe.GotoLiveAsync(host.Url + "?since=" + Uri.EscapeDataString(since));
        Assert.Equal(await QueryAsync(host, new TaskContainerQuery { ChangedSince = between }), await probe.RowKeysAsync());
        Assert.Equal(["export:stuck", "export:waiting"], await probe.RowKeysAsync());

        // ...and a relative choice of the form.
        await probe.Page.GetByLabel("Changed").SelectOptionAsync("15m");
        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Contains("since=15m", probe.Page.Url, StringComparison.Ordinal);
        Assert.Equal(5, (await probe.RowKeysAsync()).Length);

        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Clear filters" }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(host.Url, probe.Page.Url);
        await probe.ScreenshotAsync("runs-list-filters");
        await probe.AssertCleanAsync();
    }

    [Fact]
    public async Task Paging_follows_the_continuation_token_newest_change_first_without_overlap_or_gap()
    {
        for (var i = 0; i < 5; i++)
        {
            await context.ContainerAsync($"run-{i}", TaskRunStatus.Completed, TaskRunStatus.Pending);
        }

        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.PageSize = 2 });
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        await probe.GotoLiveAsync(host.Url);

        var seen = new List<string>();
        var pages = 0;
        while (true)
        {
            var keys = await probe.RowKeysAsync();
            Assert.InRange(keys.Length, 1, 2);
            seen.AddRange(keys);
            pages++;
            var next = probe.Page.Locator("a[rel=next]");
            if (await next.CountAsync() == 0)
            {
                break;
            }

            await next.ClickAsync();
            await probe.WaitForLiveAsync();
            Assert.Contains("after=", probe.Page.Url, StringComparison.Ordinal);
            Assert.Equal(1, await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "← First page" }).CountAsync());
        }

        Assert.Equal(3, pages);
        Assert.Equal(await QueryAsync(host, new TaskContainerQuery()), seen);
        Assert.Equal(5, seen.Distinct().Count());

        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "← First page" }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(seen.Take(2), await probe.RowKeysAsync());
        await probe.AssertCleanAsync();
    }

    [Fact]
    public async Task A_page_link_with_a_continuation_token_the_dashboard_did_not_make_gets_400_and_a_way_back()
    {
        await context.ContainerAsync("run", TaskRunStatus.Pending);
        var host = await context.StartHostAsync();
        await using var probe = await PageProbe.OpenAsync(browser.Browser);

        var response = await probe.Page.GotoAsync(host.Url + "?after=not-a-token");
        Assert.Equal(400, response!.Status);
        Assert.Contains("Start again from the first page", await probe.Page.Locator("main").TextContentAsync(), StringComparison.Ordinal);
        response = await probe.Page.GotoAsync(host.Url + "?state=sleeping");
        Assert.Equal(400, response!.Status);
        Assert.Contains("'sleeping' is not one of", await probe.Page.Locator("main").TextContentAsync(), StringComparison.Ordinal);

        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Back to the runs" }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(["run"], await probe.RowKeysAsync());

        // The browser reports the two 400 documents themselves as failed loads; nothing else may appear.
        Assert.All(probe.Problems, p => Assert.Contains("status of 400", p, StringComparison.Ordinal));
    }

    private static async Task<List<string>> QueryAsync(DashboardHost host, TaskContainerQuery query)
    {
        var names = new List<string>();
        do
        {
            var page = await host.DashboardClient.QueryTaskContainersAsync(query, Token);
            names.AddRange(page.Containers.Select(c => c.Name));
            query.ContinuationToken = page.ContinuationToken;
        }
        while (query.ContinuationToken is not null);

        return names;
    }
}
