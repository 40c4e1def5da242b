using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PersistentTaskStatus.Testing.Tests;

/// <summary>A user's test of a hosted worker: the environment's client and clock registered in the host.</summary>
public sealed class HostedWorkerUnderTestTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_hosted_worker_retries_after_a_skipped_30_s_back_off()
    {
        await using var env = await TaskStatusTestEnvironment.StartAsync(cancellationToken: Token);
        Assert.SkipUnless(env.CanAdvanceTime, "Time skipping needs the in-process test server.");
        var attempts = new ConcurrentQueue<int>();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(env.Client);
        builder.Services.AddSingleton(env.TimeProvider);
        builder.Services.AddPersistentTaskStatusWorker("import:", (lease, _) =>
        {
            attempts.Enqueue(lease.Attempt);
            return lease.Attempt == 1 ? throw new IOException("connection reset") : Task.CompletedTask;
        });
        using var host = builder.Build();
        await host.StartAsync(Token);
        var (run, _) = await env.Client.GetOrCreateTaskContainerAsync("import:1", Token);
        await run.AddTaskAsync("download", new TaskOptions { RetryDelay = TimeSpan.FromSeconds(30) }, Token);
        await WaitUntilAsync(async () => (await env.Client.GetTaskContainerAsync("import:1", Token))!.Tasks[0].NextAttemptAt is not null);

        // The worker's own poll (every 5 s of the clock) comes due in the skip and finds the retry ready. Without the
        // skip the retry would need 30 s of real time, more than this wait allows.
        env.AdvanceTime(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () => (await env.Client.GetTaskContainerAsync("import:1", Token))!.IsComplete, TimeSpan.FromSeconds(20));
        await host.StopAsync(Token);

        Assert.Equal([1, 2], attempts);
        var task = (await env.Client.GetTaskContainerAsync("import:1", Token))!.Tasks[0];
        Assert.Equal(TaskRunStatus.Completed, task.Status);
        Assert.Equal("System.IO.IOException", task.LastError?.Type);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Token);
        limit.CancelAfter(within ?? TimeSpan.FromMinutes(1));
        while (!await condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }
}
