using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.Testing;

namespace PersistentTaskStatus.Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SmokeTests(MongoFixture fixture, BrowserFixture browser) : IAsyncDisposable
{
    private readonly DashboardTestContext context = new(fixture, typeof(SmokeTests));

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public async Task Smoke()
    {
        await context.FailedRunAsync("feed-import:2026-11-28T16:00Z");
        await context.ContainerAsync("feed-import:2026-11-28T17:00Z", TaskRunStatus.Completed, TaskRunStatus.Running, TaskRunStatus.Pending);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        await using var probe = await PageProbe.OpenAsync(browser.Browser);
        await probe.GotoLiveAsync(host.Url);
        await probe.ScreenshotAsync("smoke-list");
        await probe.GotoLiveAsync(host.RunUrl("feed-import:2026-11-28T16:00Z"));
        await probe.ScreenshotAsync("smoke-run");
        await probe.AssertCleanAsync();
    }
}
