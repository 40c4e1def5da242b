using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Microsoft.Playwright;
using PersistentTaskStatus.Dashboard.Assets;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Browser;

/// <summary>
/// A run of 1,000 tasks: the page holds its layout and its filter works, and the figures of the closing note are
/// measured here (page weight; the delay from a worker's write to the bar's new value). Figures are printed, never
/// asserted on time.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LargeRunTests(MongoFixture fixture, BrowserFixture browser) : IAsyncDisposable
{
    private const string Name = "catalog-import:2026-11-28T16:00Z";
    private readonly DashboardTestContext context = new(fixture, typeof(LargeRunTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task A_run_of_1000_tasks_keeps_its_layout_its_filter_finds_one_task_and_its_page_weight_is_measured()
    {
        await LargeRunAsync(context, Name, files: 333);
        var host = await context.StartHostAsync();

        // Page weight: the HTML of the run's page and the three assets it loads, uncompressed (and the HTML gzipped,
        // as a server with response compression would send it).
        using var http = new HttpClient();
        var html = await http.GetByteArrayAsync(host.RunUrl(Name), Token);
        await File.WriteAllBytesAsync(Path.Combine(BrowserFixture.ScreenshotDirectory, "run-1000-tasks.html"), html, Token);
        var assets = AssetStore.Css.Content.Length + AssetStore.Script.Content.Length + AssetStore.Icon.Content.Length;
        using var gzipped = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(html, Token);
        }

        Figures.Record(
            "run page weight at 1,000 tasks",
            $"{Kb(html.Length + assets)} ({Kb(html.Length)} HTML + {Kb(assets)} CSS, script and icon: {Kb(AssetStore.Css.Content.Length)} + {Kb(AssetStore.Script.Content.Length)} + {Kb(AssetStore.Icon.Content.Length)}); HTML gzipped {Kb(gzipped.Length)}");

        await using var probe = await PageProbe.OpenAsync(browser.Browser, width: 1360, height: 900);
        var clock = Stopwatch.StartNew();
        await probe.GotoLiveAsync(host.RunUrl(Name));
        Figures.Record("run page at 1,000 tasks, load to live in the browser", $"{clock.ElapsedMilliseconds} ms");
        Assert.Equal(1000, (await probe.RowKeysAsync()).Length);
        Assert.Equal("1,000", await probe.Page.Locator("[data-count='']").TextContentAsync());

        // No layout breakage: nothing wider than the window, every row of a sensible height.
        var layout = await probe.Page.EvaluateAsync<Layout>(
            "() => { const rows = [...document.querySelectorAll('tbody[data-rows] tr')].map(r => r.getBoundingClientRect().height); " +
            "return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, tallestRow: Math.max(...rows), tableWidth: document.querySelector('table').getBoundingClientRect().width }; }");
        Assert.True(layout.ScrollWidth <= layout.InnerWidth, $"The page is {layout.ScrollWidth} px wide in a {layout.InnerWidth} px window.");
        Assert.True(layout.TableWidth <= layout.InnerWidth);
        Assert.InRange(layout.TallestRow, 30, 200);
        await probe.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "run-1000-tasks.png") });

        await probe.Page.GetByLabel("Filter tasks by name").FillAsync("file-0332.csv");
        var visible = await probe.Page.Locator("tbody[data-rows] tr[data-key]").EvaluateAllAsync<string[]>("rows => rows.filter(r => !r.hidden).map(r => r.dataset.key)");
        Assert.Equal(["download file-0332.csv", "verify file-0332.csv", "import file-0332.csv"], visible);
        await probe.Page.GetByRole(AriaRole.Button, new() { Name = "Failed" }).ClickAsync();
        await probe.Page.GetByLabel("Filter tasks by name").FillAsync("");
        var failed = await probe.Page.Locator("tbody[data-rows] tr[data-key]:not([hidden])").CountAsync();
        var run = await context.Client.GetTaskContainerAsync(Name, Token);
        Assert.Equal(run!.FailedCount, failed);

        await using var dark = await PageProbe.OpenAsync(browser.Browser, dark: true, width: 1360, height: 900);
        await dark.GotoLiveAsync(host.RunUrl(Name));
        await dark.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "run-1000-tasks-dark.png") });
        await probe.AssertCleanAsync();
        await dark.AssertCleanAsync();
    }

    [Fact]
    public async Task The_bar_follows_each_of_20_progress_reports_and_the_delay_from_the_write_to_the_bar_is_measured()
    {
        const int Reports = 20;
        var (run, _) = await context.Client.GetOrCreateTaskContainerAsync(Name, Token);
        await run.AddTaskAsync("download", cancellationToken: Token);
        var host = await context.StartHostAsync();
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        await probe.GotoLiveAsync(host.RunUrl(Name));
        await WaitUntilAsync(() => host.ChangeStreamsOpened == 1, "the watch's change stream opened");

        await using var lease = await run.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(5), Token);
        Assert.NotNull(lease);
        var bar = probe.Row("download").Locator("progress");
        var delays = new List<double>();
        var sinceLast = Stopwatch.StartNew();
        for (var i = 1; i <= Reports; i++)
        {
            // A worker that reports every few hundred milliseconds or more: each report finds the page's
            // coalescing interval over, as it does in a real run.
            await WaitUntilAsync(() => sinceLast.Elapsed > TimeSpan.FromMilliseconds(300), "the update interval passed");
            var value = (i * 4.5).ToString("0.#", CultureInfo.InvariantCulture);
            await lease.ReportProgressAsync(i * 4.5, $"{i} of {Reports}", cancellationToken: Token);
            var clock = Stopwatch.StartNew();
            await probe.Row("download").Locator($"progress[value=\"{value}\"]").WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
            delays.Add(clock.Elapsed.TotalMilliseconds);
            sinceLast.Restart();
            Assert.Equal(value, await bar.GetAttributeAsync("value"));
        }

        delays.Sort();
        var median = (delays[(Reports / 2) - 1] + delays[Reports / 2]) / 2;
        Figures.Record(
            "worker's write to the bar's new value, median of 20",
            $"{median:0} ms (fastest {delays[0]:0} ms, slowest {delays[^1]:0} ms; includes Playwright's own observation round trip)");
        await probe.AssertCleanAsync();
    }

    /// <summary>
    /// A catalog import of <paramref name="files"/> files, 3 tasks each plus a last step (1,000 tasks for 333): the
    /// downloads (with their URL as task data), then per file a verify and an import after it, then one final step.
    /// Some downloads are done (with a checkpoint), some running, two failed for good (and the tasks after them
    /// failed too), the rest waiting.
    /// </summary>
    internal static async Task LargeRunAsync(DashboardTestContext context, string name, int files)
    {
        var (run, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        var tasks = new List<(string, TaskOptions?)>();
        for (var i = 0; i < files; i++)
        {
            var file = $"file-{i:0000}.csv";
            tasks.Add(($"download {file}", new TaskOptions
            {
                TaskData = new BsonDocument { { "url", $"https://feeds.example.com/catalog/2026-11-28/{file}" }, { "bytes", 48_000_000L + (i * 7919L) } },
                MaxRetries = i is 160 or 163 ? 0 : 3,
            }));
        }

        for (var i = 0; i < files; i++)
        {
            var file = $"file-{i:0000}.csv";
            tasks.Add(($"verify {file}", new TaskOptions { DependsOn = [$"download {file}"] }));
            tasks.Add(($"import {file}", new TaskOptions { DependsOn = [$"verify {file}"] }));
        }

        tasks.Add(("rebuild-indexes", new TaskOptions { RunAfterPrevious = true }));
        await run.AddTasksAsync([.. tasks.Select(t => new TaskDefinition(t.Item1, t.Item2))], Token);

        // The first downloads are done, with their checkpoint; a few are under way; some failed for good.
        for (var i = 0; i < 160; i++)
        {
            await run.UpdateTaskAsync($"download file-{i:0000}.csv", new TaskChanges
            {
                Status = TaskRunStatus.Completed,
                ProcessingData = new BsonDocument { { "offset", 48_000_000L + (i * 7919L) }, { "sha256", $"{i:x8}e3b0c44298fc1c149afbf4c8996fb924" } },
            }, Token);
        }

        for (var i = 0; i < 8; i++)
        {
            var lease = await run.TryLeaseNextTaskAsync($"worker-{i + 1}", TimeSpan.FromMinutes(5), Token);
            Assert.NotNull(lease);
            if (lease.State.MaxRetries == 0)
            {
                await lease.FailAsync(new HttpRequestException("Response status code does not indicate success: 503 (Service Unavailable)."), Token);
            }
            else
            {
                await lease.ReportProgressAsync(10 + (i * 11), $"{(10 + (i * 11)) * 480_000:N0} of 48,000,000 bytes", new BsonDocument("offset", (10 + (i * 11)) * 480_000L), Token);
            }

            await lease.DisposeAsync();
        }

        await run.RefreshAsync(Token);
        Assert.Equal((files * 3) + 1, run.TaskCount);
        Assert.Equal(6, run.FailedCount);
    }

    private static string Kb(long bytes) => $"{bytes / 1024.0:0.0} KB";

    public sealed class Layout
    {
        public double ScrollWidth { get; set; }

        public double InnerWidth { get; set; }

        public double TallestRow { get; set; }

        public double TableWidth { get; set; }
    }
}
