using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PersistentTaskStatus.Benchmarks.Infrastructure;

namespace PersistentTaskStatus.Benchmarks;

/// <summary>
/// <see cref="TaskContainer.AddTaskAsync"/> (default options) against the same findAndModify sent with the raw driver.
/// Adding grows the container, so every iteration starts from a new empty container (made in [IterationSetup],
/// outside the measurement) and one invocation adds <see cref="TasksPerInvoke"/> tasks: the figures are per task, on
/// containers of 0 to 49 tasks.
/// </summary>
[BenchmarkCategory("AddTask")]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[InvocationCount(1, unrollFactor: 1)]
public class AddTaskBenchmarks : ContainerBenchmark
{
    public const int TasksPerInvoke = 50;

    private static readonly string[] Names = [.. Enumerable.Range(0, TasksPerInvoke).Select(Seed.TaskName)];
    private TaskContainer container = null!;
    private int iteration;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await StartMongoAsync();
        var (metered, _) = await Metered.Library.GetOrCreateTaskContainerAsync("add-wire-library");
        var libraryIndex = 0;
        await MeasureWireAsync(nameof(Library), () => metered.AddTaskAsync(Seed.TaskName(libraryIndex++)));
        await Metered.Library.GetOrCreateTaskContainerAsync("add-wire-raw");
        var rawIndex = 0;
        await MeasureWireAsync(nameof(RawDriver), () => Infrastructure.RawDriver.AddTaskAsync(Metered.Raw, "add-wire-raw", Seed.TaskName(rawIndex++)));
    }

    [IterationSetup]
    public void NewContainer() =>
        container = Timed.Library.GetOrCreateTaskContainerAsync($"add-{iteration++}").GetAwaiter().GetResult().Container;

    [Benchmark(Description = "AddTaskAsync", OperationsPerInvoke = TasksPerInvoke)]
    public async Task Library()
    {
        foreach (var name in Names)
        {
            await container.AddTaskAsync(name);
        }
    }

    [Benchmark(Baseline = true, Description = "raw findAndModify", OperationsPerInvoke = TasksPerInvoke)]
    public async Task RawDriver()
    {
        foreach (var name in Names)
        {
            await Infrastructure.RawDriver.AddTaskAsync(Timed.Raw, container.Name, name);
        }
    }
}
