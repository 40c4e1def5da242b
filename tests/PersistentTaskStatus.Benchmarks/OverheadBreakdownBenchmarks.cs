using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.Benchmarks.Infrastructure;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus.Benchmarks;

/// <summary>
/// Where the library's time and allocations go in one <see cref="TaskContainer.UpdateProgressAsync"/>, piece by
/// piece, without the server: building the command (shared with the raw baseline), and what only the library does:
/// validating the input, and reading the reply into the handle (<c>TaskContainer.Apply</c>: the task and the summary
/// read from the reply, then the task replaced in the handle's list, found by a linear search over all its tasks).
/// </summary>
[BenchmarkCategory("Breakdown of UpdateProgressAsync (no I/O)")]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class OverheadBreakdownBenchmarks : ContainerBenchmark
{
    private const string ContainerName = "breakdown";
    private static readonly string TaskName = Seed.TaskName(0);
    private BsonDocument reply = null!;
    private TaskContainer handleOf1 = null!;
    private TaskContainer handleOf1000 = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await StartMongoAsync();
        handleOf1 = await Seed.ContainerAsync(Timed.Library, ContainerName, 1);
        reply = (await Infrastructure.RawDriver.UpdateProgressAsync(Timed.Raw, ContainerName, TaskName, 42, Seed.ProgressTexts[42]))!;

        // A handle that holds 1,000 tasks, as one does after GetOrCreateTaskContainerAsync on a big container; the
        // updated task is the last one.
        var document = (await Timed.Raw.Find(new BsonDocument(Fields.Name, ContainerName)).FirstAsync()).DeepClone().AsBsonDocument;
        var template = document[Fields.Tasks][0].AsBsonDocument;
        var tasks = new BsonArray();
        for (var i = 1; i < 1000; i++)
        {
            var copy = template.DeepClone().AsBsonDocument;
            copy[Fields.Name] = Seed.TaskName(1000 + i);
            tasks.Add(copy);
        }

        tasks.Add(template);
        document[Fields.Tasks] = tasks;
        handleOf1000 = new TaskContainer(Timed.Library, document);
    }

    [Benchmark(Description = "build the command (shared with raw)")]
    public object BuildCommand() => ContainerCommands.UpdateProgress(ContainerName, TaskName, 42, Seed.ProgressTexts[42]);

    [Benchmark(Description = "validate name and percentage")]
    public void Validate()
    {
        Validation.TaskName(ContainerName, TaskName);
        Validation.Percentage(ContainerName, TaskName, 42);
    }

    [Benchmark(Description = "read reply: task + summary")]
    public object ReadReply()
    {
        _ = DocumentReader.ReadTasks(reply);
        return DocumentReader.ReadSummary(reply);
    }

    [Benchmark(Description = "Apply to a handle of 1 task")]
    public TaskState ApplyToHandleOf1() => handleOf1.Apply(reply, TaskName);

    [Benchmark(Description = "Apply to a handle of 1,000 tasks")]
    public TaskState ApplyToHandleOf1000() => handleOf1000.Apply(reply, TaskName);
}
