namespace PersistentTaskStatus.Testing.Tests;

/// <summary>The environment's clock, through the APIs that code under test uses: Task.Delay, CancellationTokenSource, PeriodicTimer.</summary>
public sealed class SkippingClockTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Delays_complete_when_a_skip_reaches_them_and_not_before()
    {
        await using var env = await TaskStatusTestEnvironment.StartAsync(new TaskStatusTestEnvironmentOptions { ConnectionString = null }, Token);
        var clock = env.TimeProvider;
        var short1 = Task.Delay(TimeSpan.FromMinutes(5), clock, Token);
        var long1 = Task.Delay(TimeSpan.FromHours(2), clock, Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10), clock);

        env.AdvanceTime(TimeSpan.FromMinutes(6));
        await short1.WaitAsync(TimeSpan.FromMinutes(1), Token);
        Assert.False(long1.IsCompleted);
        Assert.False(timeout.IsCancellationRequested);

        env.AdvanceTime(TimeSpan.FromMinutes(5));
        Assert.True(timeout.IsCancellationRequested);
        env.AdvanceTime(TimeSpan.FromHours(2));
        await long1.WaitAsync(TimeSpan.FromMinutes(1), Token);
    }

    [Fact]
    public async Task Without_a_skip_the_clock_runs_at_real_speed()
    {
        await using var env = await TaskStatusTestEnvironment.StartAsync(new TaskStatusTestEnvironmentOptions { ConnectionString = null }, Token);
        var start = env.TimeProvider.GetTimestamp();

        await Task.Delay(TimeSpan.FromMilliseconds(50), env.TimeProvider, Token).WaitAsync(TimeSpan.FromMinutes(1), Token);

        Assert.True(env.TimeProvider.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(50));
        Assert.True(env.TimeProvider.GetUtcNow() - DateTimeOffset.UtcNow < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_periodic_timer_fires_once_per_skip_then_keeps_its_period_from_the_new_now()
    {
        await using var env = await TaskStatusTestEnvironment.StartAsync(new TaskStatusTestEnvironmentOptions { ConnectionString = null }, Token);
        var ticks = 0;
        using var timer = env.TimeProvider.CreateTimer(_ => Interlocked.Increment(ref ticks), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        env.AdvanceTime(TimeSpan.FromMinutes(10));
        Assert.Equal(1, ticks);
        env.AdvanceTime(TimeSpan.FromSeconds(30));
        Assert.Equal(1, ticks);
        env.AdvanceTime(TimeSpan.FromSeconds(31));
        Assert.Equal(2, ticks);

        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        env.AdvanceTime(TimeSpan.FromHours(1));
        Assert.Equal(2, ticks);
        var elapsed = env.TimeAdvanced;
        Assert.True(elapsed >= TimeSpan.FromMinutes(71));
    }
}
