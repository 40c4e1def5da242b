// The README's example of the Testing package, compiled and run exactly as written there (between the markers).
// begin-snippet: testing-environment
using PersistentTaskStatus;
using PersistentTaskStatus.Testing;
using Xunit;

public sealed class ImportJobTests
{
    [Fact]
    public async Task A_failed_download_is_retried_after_its_30_s_back_off()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var env = await TaskStatusTestEnvironment.StartAsync(cancellationToken: ct);
        Assert.SkipUnless(env.CanAdvanceTime, "Time skipping needs the in-process server, not MONGODB_URI.");
        var (run, _) = await env.Client.GetOrCreateTaskContainerAsync("import:2026-11-28", ct);
        await run.AddTaskAsync("download", new TaskOptions { RetryDelay = TimeSpan.FromSeconds(30) }, ct);

        var lease = await run.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(1), ct);
        await lease!.FailAsync(new IOException("connection reset"), ct);
        Assert.Null(await run.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(1), ct));  // backing off

        env.AdvanceTime(TimeSpan.FromSeconds(30));                                           // no waiting
        await using var retry = await run.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(1), ct);
        Assert.Equal(2, retry!.Attempt);
    }
}
// end-snippet
