using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Browser;

/// <summary>
/// Every page with the data of a real day's hourly imports, light and dark, saved under
/// <c>TestResults/screenshots</c> (the README's two pictures come from here), each page free of console errors.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(MongoFixture fixture, BrowserFixture browser) : IAsyncDisposable
{
    private const string Current = "feed-import:2026-11-28T16:00Z";
    private readonly DashboardTestContext context = new(fixture, typeof(ScreenshotTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task Every_page_in_light_and_dark_is_saved_and_clean()
    {
        await SeedAsync();
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        var saved = new List<string>();
        foreach (var dark in new[] { false, true })
        {
            var scheme = dark ? "dark" : "light";
            await using var probe = await PageProbe.OpenAsync(browser.Browser, dark, width: 1280, height: 800);
            await probe.GotoLiveAsync(host.Url);
            Assert.Equal(8, (await probe.RowKeysAsync()).Length);
            saved.Add(await probe.ScreenshotAsync($"runs-{scheme}"));

            await probe.GotoLiveAsync(host.Url + "?state=failed");
            saved.Add(await probe.ScreenshotAsync($"runs-failed-{scheme}"));

            await probe.GotoLiveAsync(host.RunUrl(Current));
            Assert.Equal(12, (await probe.RowKeysAsync()).Length);
            await probe.Row("download apps-4.csv").Locator("details summary").Nth(1).ClickAsync();
            await probe.Row("download apps-4.csv").Locator("pre", new() { HasText = "offset" }).WaitForAsync();
            saved.Add(await probe.ScreenshotAsync($"run-{scheme}"));

            await probe.GotoLiveAsync(host.RunUrl("feed-import:2026-11-28T15:00Z"));
            saved.Add(await probe.ScreenshotAsync($"run-failed-{scheme}"));
            await probe.AssertCleanAsync();
        }

        Assert.All(saved, path => Assert.True(new FileInfo(path).Length > 10_000, $"{path} looks empty."));
    }

    /// <summary>A day of hourly feed imports, as the sample runs them: the current hour under way, one failed, the rest done.</summary>
    private async Task SeedAsync()
    {
        string[] files = ["apps-1.csv", "apps-2.csv", "apps-3.csv", "apps-4.csv"];
        foreach (var hour in new[] { "11", "12", "13", "14" })
        {
            await ImportAsync($"feed-import:2026-11-28T{hour}:00Z", files, done: int.MaxValue);
        }

        await context.ContainerAsync("report:monthly-2026-11", TaskRunStatus.Completed, TaskRunStatus.Completed, TaskRunStatus.Completed);
        await context.ContainerAsync("catalog-migration:v42", TaskRunStatus.Pending, TaskRunStatus.Pending);

        // The 15:00 import failed: a download gave up after its retries, and the steps after it with it.
        var failed = await ImportAsync("feed-import:2026-11-28T15:00Z", files, done: 3);
        await using (var lease = await failed.TryLeaseNextTaskAsync("worker-2", TimeSpan.FromMinutes(2), Token))
        {
            await lease!.ReportProgressAsync(61, "4.9 of 8.0 MB", new BsonDocument("offset", 5_117_952L), Token);
            await failed.UpdateTaskAsync(lease.TaskName, new TaskChanges { MaxRetries = 0 }, Token);
            await lease.FailAsync(new IOException("The response ended prematurely (received 5,117,952 of 8,388,608 bytes)."), Token);
        }

        // The current hour: the feed checked, two downloads done, one waiting to retry after a failed attempt, one
        // download and one verification under way.
        var current = await ImportAsync(Current, files, done: 3);
        await using (var first = await current.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(2), Token))
        {
            await first!.FailAsync(new IOException("Connection reset by peer"), Token);
        }

        foreach (var (worker, percentage, text) in new[] { ("worker-3", 37.5, "3.0 of 8.0 MB"), ("worker-1", 81.25, "hashing: 6.5 of 8.0 MB") })
        {
            await using var lease = await current.TryLeaseNextTaskAsync(worker, TimeSpan.FromMinutes(2), Token);
            Assert.NotNull(lease);
            await lease.ReportProgressAsync(percentage, text, new BsonDocument { { "offset", (long)(percentage / 100 * 8_388_608) }, { "chunk", 256 * 1024 } }, Token);
        }
    }

    /// <summary>A feed import's steps, as the sample plans them; the first <paramref name="done"/> completed.</summary>
    private async Task<TaskContainer> ImportAsync(string name, string[] files, int done)
    {
        var (run, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        var steps = new List<(string, TaskOptions?)> { ("check-feed", new TaskOptions { TaskData = new BsonDocument("feed", "https://feeds.example.com/apps/") }) };
        steps.AddRange(files.Select(f => ($"download {f}", (TaskOptions?)new TaskOptions
        {
            DependsOn = ["check-feed"],
            TaskData = new BsonDocument { { "url", $"https://feeds.example.com/apps/{f}" }, { "bytes", 8_388_608L } },
        })));
        steps.AddRange(files.SelectMany(f => new[]
        {
            ($"verify {f}", (TaskOptions?)new TaskOptions { DependsOn = [$"download {f}"] }),
            ($"import {f}", (TaskOptions?)new TaskOptions { DependsOn = [$"verify {f}"] }),
        }).Where(s => s.Item1.StartsWith("verify", StringComparison.Ordinal) || s.Item1.EndsWith("-1.csv", StringComparison.Ordinal) || s.Item1.EndsWith("-2.csv", StringComparison.Ordinal)));
        steps.Add(("rebuild-indexes", new TaskOptions { RunAfterPrevious = true }));
        await run.AddTasksAsync([.. steps.Select(s => new TaskDefinition(s.Item1, s.Item2))], Token);
        foreach (var (step, _) in steps.Take(Math.Min(done, steps.Count)))
        {
            await run.UpdateTaskAsync(step, new TaskChanges { Status = TaskRunStatus.Completed, StatusText = step.StartsWith("download", StringComparison.Ordinal) ? "8.0 of 8.0 MB" : null }, Token);
        }

        return run;
    }
}
