using Microsoft.Playwright;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Browser;

/// <summary>A run's page: what it shows of each task, its filter, and a run that does not exist.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RunPageTests(MongoFixture fixture, BrowserFixture browser) : IAsyncDisposable
{
    private readonly DashboardTestContext context = new(fixture, typeof(RunPageTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task A_failed_runs_error_shows_with_its_type_and_message_and_the_dependent_tasks_reason()
    {
        const string Name = "feed-import:2026-11-28T16:00Z";
        var run = await context.FailedRunAsync(Name);
        var import = run.Tasks.Single(t => t.Name == "import");
        var host = await context.StartHostAsync();
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        await probe.GotoLiveAsync(host.RunUrl(Name));

        var download = probe.Row("download");
        Assert.Equal("Failed", await download.Locator(".badge").First.TextContentAsync());
        Assert.Equal("IOException connection reset at 412 MB", await download.Locator(".err").TextContentAsync());
        Assert.Equal("System.IO.IOException", await download.Locator(".err b").GetAttributeAsync("title"));
        Assert.Equal("42.5", await probe.ProgressOfAsync("download"));
        Assert.Equal("412 of 970 MB", await download.Locator(".status-text").TextContentAsync());
        Assert.Equal("1 / 1", await download.Locator(".c-num").TextContentAsync());
        Assert.Contains("took", await download.Locator(".c-times").TextContentAsync(), StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", await download.Locator(".c-times time").GetAttributeAsync("title"));
        Assert.Equal("—", await download.Locator(".c-lease").EvaluateAsync<string>("td => getComputedStyle(td, '::after').content.replaceAll('\"', '')"));

        Assert.Equal($"DependencyFailed {import.LastError!.Message}", await probe.Row("import").Locator(".err").TextContentAsync());
        Assert.Equal("dependency 'download' failed", import.LastError.Message);
        Assert.Equal("Completed", await probe.Row("report").Locator(".badge").First.TextContentAsync());
        Assert.Equal(0, await probe.Row("report").Locator(".err").CountAsync());

        // The summary: the run failed, two tasks of three.
        var summary = probe.Page.Locator("[data-summary]");
        Assert.Equal("Failed", await summary.Locator(".badge").First.TextContentAsync());
        Assert.Equal("2", await summary.Locator(".s-failed dd").TextContentAsync());
        Assert.Equal("1", await summary.Locator(".s-completed dd").TextContentAsync());

        // Read-only by default: no reset button, no form with a token.
        Assert.Equal(0, await probe.Page.Locator("#reset-form").CountAsync());
        Assert.Equal(0, await probe.Page.GetByRole(AriaRole.Button, new() { Name = "Reset" }).CountAsync());

        // On the list, the run is marked failed with its count.
        await probe.Page.GetByRole(AriaRole.Link, new() { Name = "Runs", Exact = true }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal("Failed", await probe.Row(Name).Locator(".badge").First.TextContentAsync());
        Assert.Contains("2 failed", await probe.Row(Name).Locator(".c-tasks").TextContentAsync(), StringComparison.Ordinal);
        await probe.AssertCleanAsync();
    }

    [Fact]
    public async Task Task_data_and_checkpoint_are_collapsed_and_the_filter_shows_only_the_tasks_asked_for()
    {
        var (run, _) = await context.Client.GetOrCreateTaskContainerAsync("run", Token);
        await run.AddTaskAsync("download a.csv", new TaskOptions { TaskData = new BsonDocument { { "url", "https://feed.example/a.csv" }, { "bytes", 970_000_000L } } }, Token);
        await run.AddTaskAsync("download b.csv", cancellationToken: Token);
        await run.AddTaskAsync("import a.csv", new TaskOptions { DependsOn = ["download a.csv"] }, Token);
        await using (var lease = await run.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(5), Token))
        {
            await lease!.ReportProgressAsync(40, "400 of 970 MB", new BsonDocument("offset", 432_013_312L), Token);
        }

        var host = await context.StartHostAsync();
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        await probe.GotoLiveAsync(host.RunUrl("run"));

        // Collapsed, and loaded only when opened.
        var data = probe.Row("download a.csv").Locator("details");
        Assert.Equal(2, await data.CountAsync());
        Assert.Equal(0, await probe.Page.Locator("pre").CountAsync());
        await data.First.Locator("summary").ClickAsync();
        await data.First.Locator("pre", new() { HasText = "feed.example" }).WaitForAsync();
        Assert.Equal("{\n  \"url\" : \"https://feed.example/a.csv\",\n  \"bytes\" : 970000000\n}", await data.First.Locator("pre").TextContentAsync());
        await data.Nth(1).Locator("summary").ClickAsync();
        await data.Nth(1).Locator("pre", new() { HasText = "offset" }).WaitForAsync();
        Assert.Contains("\"offset\" : 432013312", await data.Nth(1).Locator("pre").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await probe.Row("download b.csv").Locator("details").CountAsync());

        // An opened section stays open when a live update replaces the row.
        await run.UpdateProgressAsync("download a.csv", 55, "537 of 970 MB", Token);
        await probe.Row("download a.csv").Locator("progress[value=\"55\"]").WaitForAsync();
        Assert.True(await probe.Row("download a.csv").Locator("details").First.EvaluateAsync<bool>("d => d.open"));
        Assert.True(await probe.Row("download a.csv").Locator("details").Nth(1).EvaluateAsync<bool>("d => d.open"));
        await probe.Row("download a.csv").Locator("details").First.Locator("pre", new() { HasText = "feed.example" }).WaitForAsync();

        await probe.Page.GetByRole(AriaRole.Button, new() { Name = "Running" }).ClickAsync();
        Assert.Equal(["download a.csv"], await VisibleAsync(probe));
        Assert.Equal("true", await probe.Page.GetByRole(AriaRole.Button, new() { Name = "Running" }).GetAttributeAsync("aria-pressed"));
        await probe.Page.GetByRole(AriaRole.Button, new() { Name = "Pending" }).ClickAsync();
        Assert.Equal(["download b.csv", "import a.csv"], await VisibleAsync(probe));
        await probe.Page.GetByLabel("Filter tasks by name").FillAsync("IMPORT");
        Assert.Equal(["import a.csv"], await VisibleAsync(probe));
        await probe.Page.Locator("[data-show='']").ClickAsync();
        await probe.Page.GetByLabel("Filter tasks by name").FillAsync("");
        Assert.Equal(3, (await VisibleAsync(probe)).Length);
        await probe.AssertCleanAsync();
    }

    [Fact]
    public async Task A_run_that_does_not_exist_gets_404_with_its_name_and_a_way_back()
    {
        var host = await context.StartHostAsync();
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        var response = await probe.Page.GotoAsync(host.RunUrl("no/such run?#"));
        Assert.Equal(404, response!.Status);
        Assert.Contains("There is no run named 'no/such run?#'", await probe.Page.Locator("main").TextContentAsync(), StringComparison.Ordinal);
        Assert.All(probe.Problems, p => Assert.Contains("status of 404", p, StringComparison.Ordinal));
    }

    private static Task<string[]> VisibleAsync(PageProbe probe) =>
        probe.Page.Locator("tbody[data-rows] tr[data-key]").EvaluateAllAsync<string[]>("rows => rows.filter(r => !r.hidden).map(r => r.dataset.key)");
}
