using PersistentTaskStatus.Dashboard.Hosting;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Browser;

/// <summary>User data that looks like markup, the security headers of every response, and a path base, in the browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SecurityTests(MongoFixture fixture, BrowserFixture browser) : IAsyncDisposable
{
    private const string RunName = "<img src=x onerror=\"window.xss='run';alert('run')\">";
    private const string StatusText = "<img src=x onerror=alert('status')> 50% </textarea>";
    private const string ErrorMessage = "</script><script>window.xss='error';alert('error')</script><img src=x onerror=alert('error')>";
    private const string DataText = "</pre><script>alert('data')</script>";

    private static readonly string[] TaskNames =
    [
        "</script><script>window.xss='task';alert('task')</script>",
        "\"><svg onload=\"alert('attribute')\">",
        "' onmouseover='alert(1)' x='",
        "<style>body{display:none}</style>",
        "javascript:alert('link')",
        "{{7*7}} ${alert('template')} &amp; &lt;",
    ];

    private readonly DashboardTestContext context = new(fixture, typeof(SecurityTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task Names_status_texts_errors_and_data_that_look_like_markup_show_exactly_as_written_and_nothing_runs()
    {
        var (run, _) = await context.Client.GetOrCreateTaskContainerAsync(RunName, Token);
        foreach (var name in TaskNames)
        {
            await run.AddTaskAsync(name, new TaskOptions { MaxRetries = 0, TaskData = new BsonDocument("note", DataText) }, Token);
        }

        await run.UpdateProgressAsync(TaskNames[1], 50, StatusText, Token);
        await using (var lease = await run.TryLeaseNextTaskAsync("<b>worker</b>", TimeSpan.FromMinutes(1), Token))
        {
            Assert.Equal(TaskNames[0], lease!.TaskName);
            await lease.FailAsync(new InvalidOperationException(ErrorMessage), Token);
        }

        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        await using var probe = await PageProbe.OpenAsync(browser.Browser);

        // The list: the run's name as text, its link to the run's page.
        await probe.GotoLiveAsync(host.Url);
        Assert.Equal([RunName], await probe.RowKeysAsync());
        Assert.Equal(RunName, await probe.Row(RunName).Locator(".c-name a").TextContentAsync());
        await probe.Row(RunName).Locator(".c-name a").ClickAsync();
        await probe.WaitForLiveAsync();

        // The run's page: every name, the status text, the error and the data as written.
        Assert.Equal(RunName, await probe.Page.Locator("[data-summary] h1").TextContentAsync());
        Assert.Equal($"{RunName} · Task status", await probe.Page.TitleAsync());
        Assert.Equal(TaskNames, await probe.RowKeysAsync());
        foreach (var name in TaskNames)
        {
            Assert.Equal(name, await probe.Row(name).Locator(".tname").TextContentAsync());
        }

        Assert.Equal(StatusText, await probe.Row(TaskNames[1]).Locator(".status-text").TextContentAsync());
        Assert.Equal($"InvalidOperationException {ErrorMessage}", await probe.Row(TaskNames[0]).Locator(".err").TextContentAsync());
        Assert.Equal(TaskNames[0], await probe.Row(TaskNames[0]).Locator("button").GetAttributeAsync("value"));
        await probe.Row(TaskNames[2]).Locator("details summary").ClickAsync();
        await probe.Row(TaskNames[2]).Locator("pre", new() { HasText = "note" }).WaitForAsync();
        Assert.Equal($"{{\n  \"note\" : \"{DataText}\"\n}}", await probe.Row(TaskNames[2]).Locator("pre").TextContentAsync());

        // Live updates carry user data too: a new status text and a new task, while the page is open.
        const string LiveText = "<script>window.xss='live'</script><img src=x onerror=alert('live')>";
        const string LiveTask = "<iframe src=\"javascript:alert('frame')\"></iframe>";
        await run.UpdateProgressAsync(TaskNames[3], 75, LiveText, Token);
        await run.AddTaskAsync(LiveTask, cancellationToken: Token);
        await probe.Row(TaskNames[3]).Locator("progress[value=\"75\"]").WaitForAsync();
        await probe.Row(LiveTask).WaitForAsync();
        Assert.Equal(LiveText, await probe.Row(TaskNames[3]).Locator(".status-text").TextContentAsync());
        Assert.Equal(LiveTask, await probe.Row(LiveTask).Locator(".tname").TextContentAsync());

        // Nothing was made of the markup: no element from it, no script ran, no dialog, no violation.
        Assert.Equal(0, await probe.Page.Locator("main img, main svg, main script, main iframe, main style, main textarea").CountAsync());
        Assert.Equal(1, await probe.Page.Locator("img").CountAsync());
        Assert.True(await probe.Page.EvaluateAsync<bool>("() => window.xss === undefined"));
        Assert.True(await probe.Page.Locator("body").IsVisibleAsync());
        await probe.ScreenshotAsync("run-markup-names");
        await probe.AssertCleanAsync();
    }

    [Fact]
    public async Task Every_response_carries_the_strict_security_headers_and_no_page_has_a_console_error_or_violation()
    {
        await context.FailedRunAsync("failed-run");
        await context.ContainerAsync("busy-run", TaskRunStatus.Completed, TaskRunStatus.Running, TaskRunStatus.Pending);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        string[] pages = [host.Url, host.Url + "?state=failed&prefix=failed-&since=1h", host.RunUrl("failed-run"), host.RunUrl("busy-run")];
        foreach (var url in pages)
        {
            await probe.GotoLiveAsync(url);
        }

        await probe.AssertCleanAsync();
        var responses = probe.Responses.Where(r => r.Url.StartsWith(host.Url, StringComparison.Ordinal)).ToList();
        Assert.Contains(responses, r => r.Url.Contains("/assets/dashboard.", StringComparison.Ordinal) && r.Url.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(responses, r => r.Url.Contains("/assets/dashboard.", StringComparison.Ordinal) && r.Url.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(responses, r => r.Url.Contains("/events?", StringComparison.Ordinal));
        foreach (var response in responses)
        {
            var headers = await response.AllHeadersAsync();
            Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, headers["content-security-policy"]);
            Assert.Equal("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'", headers["content-security-policy"]);
            Assert.Equal("nosniff", headers["x-content-type-options"]);
            Assert.Equal("no-referrer", headers["referrer-policy"]);
            var isAsset = response.Url.Contains("/assets/", StringComparison.Ordinal);
            Assert.Contains(isAsset ? "immutable" : "no-store", headers["cache-control"], StringComparison.Ordinal);
        }

        // A problem page is held to the same rules.
        var missing = await probe.Page.GotoAsync(host.RunUrl("no such run"));
        Assert.Equal(404, missing!.Status);
        Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, await missing.HeaderValueAsync("content-security-policy"));
        Assert.All(probe.Problems, p => Assert.Contains("status of 404", p, StringComparison.Ordinal));
        await probe.ScreenshotAsync("problem-404");
    }

    [Fact]
    public async Task Under_a_path_base_every_link_asset_and_live_update_stays_under_it()
    {
        var (run, _) = await context.Client.GetOrCreateTaskContainerAsync("feed/import 16:00", Token);
        await run.AddTaskAsync("download", cancellationToken: Token);
        var host = await context.StartHostAsync(new HostSettings { PathBase = "/ops", Pattern = "/tasks" });
        await using var probe = await PageProbe.OpenAsync(browser.Browser);

        // Without its trailing slash, the dashboard's folder redirects to it (relatively, so a proxy's prefix holds).
        var response = await probe.Page.GotoAsync(host.BaseAddress + "/ops/tasks?state=incomplete");
        Assert.True(response!.Ok);
        Assert.Equal(host.BaseAddress + "/ops/tasks/?state=incomplete", probe.Page.Url);
        await probe.WaitForLiveAsync();
        Assert.Equal(["feed/import 16:00"], await probe.RowKeysAsync());

        await probe.Row("feed/import 16:00").Locator("a").ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(host.BaseAddress + "/ops/tasks/run?name=feed%2Fimport%2016%3A00", probe.Page.Url);
        await run.UpdateProgressAsync("download", 64, "live under /ops", Token);
        await probe.Row("download").Locator("progress[value=\"64\"]").WaitForAsync();

        await probe.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Runs", Exact = true }).ClickAsync();
        await probe.WaitForLiveAsync();
        Assert.Equal(host.BaseAddress + "/ops/tasks/", probe.Page.Url);

        Assert.All(probe.Responses, r => Assert.StartsWith(host.BaseAddress + "/ops/tasks", r.Url, StringComparison.Ordinal));
        Assert.Contains(probe.Responses, r => r.Url.StartsWith(host.BaseAddress + "/ops/tasks/assets/", StringComparison.Ordinal));
        Assert.Contains(probe.Responses, r => r.Url.StartsWith(host.BaseAddress + "/ops/tasks/events?", StringComparison.Ordinal));
        await probe.AssertCleanAsync();
    }
}
