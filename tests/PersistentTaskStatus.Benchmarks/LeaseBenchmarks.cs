using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PersistentTaskStatus.Benchmarks.Infrastructure;

namespace PersistentTaskStatus.Benchmarks;

/// <summary>
/// A worker's cycle: <see cref="TaskContainer.TryLeaseNextTaskAsync"/>, <see cref="TaskLease.CompleteAsync"/> and the
/// lease's disposal (two findAndModify), against the same two commands sent with the raw driver. Every iteration
/// starts from a new container of <see cref="TasksPerInvoke"/> pending tasks (made in [IterationSetup]) and one
/// invocation leases and completes all of them: the figures are per task. The library's lease runs with its default
/// background renewal (every third of the 5-minute lease, so it never fires here; its set-up and tear-down count).
/// </summary>
[BenchmarkCategory("LeaseAndComplete")]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[InvocationCount(1, unrollFactor: 1)]
public class LeaseBenchmarks : ContainerBenchmark
{
    public const int TasksPerInvoke = 25;
    private const string Owner = "benchmark-worker";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(5);

    private TaskContainer container = null!;
    private int iteration;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await StartMongoAsync();
        var metered = await Seed.ContainerAsync(Metered.Library, "lease-wire-library", 9);
        await MeasureWireAsync(nameof(Library), () => LeaseAndCompleteAsync(metered));
        await Seed.ContainerAsync(Metered.Library, "lease-wire-raw", 9);
        await MeasureWireAsync(nameof(RawDriver), () => Infrastructure.RawDriver.LeaseAndCompleteAsync(Metered.Raw, "lease-wire-raw", Owner, LeaseDuration));
    }

    [IterationSetup]
    public void NewContainer() =>
        container = Seed.ContainerAsync(Timed.Library, $"lease-{iteration++}", TasksPerInvoke).GetAwaiter().GetResult();

    [Benchmark(Description = "TryLeaseNextTaskAsync + CompleteAsync", OperationsPerInvoke = TasksPerInvoke)]
    public async Task Library()
    {
        for (var i = 0; i < TasksPerInvoke; i++)
        {
            await LeaseAndCompleteAsync(container);
        }
    }

    [Benchmark(Baseline = true, Description = "raw findAndModify x2", OperationsPerInvoke = TasksPerInvoke)]
    public async Task RawDriver()
    {
        for (var i = 0; i < TasksPerInvoke; i++)
        {
            await Infrastructure.RawDriver.LeaseAndCompleteAsync(Timed.Raw, container.Name, Owner, LeaseDuration);
        }
    }

    private static async Task LeaseAndCompleteAsync(TaskContainer on)
    {
        var lease = await on.TryLeaseNextTaskAsync(Owner, LeaseDuration) ?? throw new InvalidOperationException("No task was ready.");
        await using (lease)
        {
            await lease.CompleteAsync();
        }
    }
}
