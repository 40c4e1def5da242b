using Microsoft.Playwright;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Browser;

/// <summary>The operator's reset from a run's page: allowed only when configured, with the page's token, same-origin.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ResetTests(MongoFixture fixture, BrowserFixture browser) : IAsyncDisposable
{
    private const string Name = "feed-import:2026-11-28T16:00Z";
    private readonly DashboardTestContext context = new(fixture, typeof(ResetTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task Reset_with_the_pages_token_puts_the_failed_task_back_to_pending_and_the_page_shows_it_live()
    {
        await context.FailedRunAsync(Name);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        var posts = new List<IRequest>();
        probe.Page.Request += (_, request) =>
        {
            if (request.Method == "POST")
            {
                posts.Add(request);
            }
        };
        await probe.GotoLiveAsync(host.RunUrl(Name));

        // Only the task that failed on its own has a button; the one that failed because of it is reset with it.
        Assert.Equal(0, await probe.Row("import").GetByRole(AriaRole.Button, new() { Name = "Reset" }).CountAsync());
        var button = probe.Row("download").GetByRole(AriaRole.Button, new() { Name = "Reset" });
        await button.ClickAsync();
        Assert.Equal("Confirm reset", await button.TextContentAsync());
        Assert.Empty(posts);
        await button.ClickAsync();
        var notice = await NoticeAsync(probe);
        Assert.Equal("ok", await notice.GetAttributeAsync("data-kind"));
        Assert.Equal("Task 'download' was reset: it is pending again, with its attempts counted afresh.", await notice.TextContentAsync());

        // The database: the task and the one that failed because of it are pending again, attempts reset.
        var run = await context.Client.GetTaskContainerAsync(Name, Token);
        Assert.False(run!.HasFailed);
        Assert.False(run.IsComplete);
        var download = run.Tasks.Single(t => t.Name == "download");
        Assert.Equal(TaskRunStatus.Pending, download.Status);
        Assert.Equal(0, download.InvokeCount);
        Assert.Equal(TaskRunStatus.Pending, run.Tasks.Single(t => t.Name == "import").Status);

        // The page follows without a reload.
        await probe.Row("download").Locator(".badge.pending").WaitForAsync();
        await probe.Row("import").Locator(".badge.pending").WaitForAsync();
        Assert.Equal(0, await probe.Page.GetByRole(AriaRole.Button, new() { Name = "Reset" }).CountAsync());

        // What the browser sent: one POST, same-origin, with its origin.
        var post = Assert.Single(posts);
        var headers = await post.AllHeadersAsync();
        Assert.Equal("same-origin", headers["sec-fetch-site"]);
        Assert.Equal(host.BaseAddress, headers["origin"]);
        await probe.ScreenshotAsync("run-after-reset");
        await probe.AssertCleanAsync();
    }

    [Fact]
    public async Task Reset_without_the_pages_token_is_refused_with_400_and_writes_nothing()
    {
        await context.FailedRunAsync(Name);
        var before = await context.RawAsync(Name);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        await probe.GotoLiveAsync(host.RunUrl(Name));

        // The form without its token, through the page's own button.
        Assert.Equal(1, await probe.Page.Locator("#reset-form input[name=__RequestVerificationToken]").CountAsync());
        await probe.Page.EvaluateAsync("() => document.querySelector('#reset-form input[name=__RequestVerificationToken]').remove()");
        var button = probe.Row("download").GetByRole(AriaRole.Button, new() { Name = "Reset" });
        await button.ClickAsync();
        await button.ClickAsync();
        var notice = await NoticeAsync(probe);
        Assert.Equal("error", await notice.GetAttributeAsync("data-kind"));
        Assert.Equal("The form's antiforgery token is missing or not valid: reload the page and try again.", await notice.TextContentAsync());

        // A forged token, and a plain POST with no form field at all.
        var forged = await probe.Page.EvaluateAsync<int>(
            "async ([run]) => (await fetch('reset', { method: 'POST', body: new URLSearchParams({ __RequestVerificationToken: 'forged', run, task: 'download' }) })).status",
            new[] { Name });
        Assert.Equal(400, forged);
        var bare = await probe.Page.EvaluateAsync<int>(
            "async ([run]) => (await fetch('reset', { method: 'POST', body: new URLSearchParams({ run, task: 'download' }) })).status",
            new[] { Name });
        Assert.Equal(400, bare);

        Assert.Equal(before, await context.RawAsync(Name));
        Assert.Equal(3, probe.Problems.Count);
        Assert.All(probe.Problems, p => Assert.Contains("status of 400", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reset_is_refused_entirely_with_403_when_AllowReset_is_off()
    {
        await context.FailedRunAsync(Name);
        var before = await context.RawAsync(Name);
        var host = await context.StartHostAsync();
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        await probe.GotoLiveAsync(host.RunUrl(Name));
        Assert.Equal(0, await probe.Page.Locator("#reset-form").CountAsync());
        Assert.Equal(0, await probe.Page.GetByRole(AriaRole.Button, new() { Name = "Reset" }).CountAsync());

        var answer = await probe.Page.EvaluateAsync<Answer>(
            "async ([run]) => { const r = await fetch('reset', { method: 'POST', headers: { Accept: 'application/json' }, body: new URLSearchParams({ run, task: 'download' }) }); return { status: r.status, body: await r.json() }; }",
            new[] { Name });
        Assert.Equal(403, answer.Status);
        Assert.False(answer.Body.Ok);
        Assert.Equal("Resetting tasks is turned off for this dashboard (DashboardOptions.AllowReset).", answer.Body.Message);

        Assert.Equal(before, await context.RawAsync(Name));
        Assert.All(probe.Problems, p => Assert.Contains("status of 403", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reset_the_library_refuses_shows_its_message_and_writes_nothing()
    {
        await context.FailedRunAsync(Name);
        var before = await context.RawAsync(Name);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        await probe.GotoLiveAsync(host.RunUrl(Name));

        // The button of a failed task, pointed at a completed one: the library refuses with a TaskStateException.
        var button = probe.Row("download").GetByRole(AriaRole.Button, new() { Name = "Reset" });
        await button.EvaluateAsync("b => b.value = 'report'");
        await button.ClickAsync();
        await button.ClickAsync();
        var notice = await NoticeAsync(probe);
        Assert.Equal("error", await notice.GetAttributeAsync("data-kind"));
        var expected = (await Assert.ThrowsAsync<TaskStateException>(async () =>
            await (await context.Client.GetTaskContainerAsync(Name, Token))!.ResetTaskAsync("report", Token))).Message;
        Assert.Equal(expected, await notice.TextContentAsync());

        Assert.Equal(before, await context.RawAsync(Name));
        var problem = Assert.Single(probe.Problems);
        Assert.Contains("status of 409", problem, StringComparison.Ordinal);
    }

    /// <summary>The page's notice once it is shown, whatever it says.</summary>
    private static async Task<Microsoft.Playwright.ILocator> NoticeAsync(PageProbe probe)
    {
        var notice = probe.Page.Locator("[data-notice]");
        await notice.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        return notice;
    }

    public sealed class Answer
    {
        public int Status { get; set; }

        public AnswerBody Body { get; set; } = new();
    }

    public sealed class AnswerBody
    {
        public bool Ok { get; set; }

        public string Message { get; set; } = "";
    }
}
