using PersistentTaskStatus;
using PersistentTaskStatus.Docs.Tests;
using PersistentTaskStatus.TestInfrastructure;

namespace ReadmeExamples;

/// <summary>The input of the README's download step.</summary>
public sealed class DownloadInput
{
    public string Url { get; set; } = "";
}

[Collection(ConsoleOutput.Name)]
public sealed class OldModuleExamples(MongoFixture fixture) : IDisposable
{
    private readonly DocsContext docs = new(fixture, typeof(OldModuleExamples));

    public void Dispose() => docs.Dispose();

    [Fact]
    public async Task The_old_modules_examples_run_as_shown_each_change_persisted_at_once()
    {
        var client = docs.Client;
        var feedUrl = "https://feeds.example.com/epf/2026-11-28.tbz";
        using var console = ConsoleOutput.Capture();

        // begin-snippet: get-or-create
        var (container, created) = await client.GetOrCreateTaskContainerAsync("epf-import:2026-11-28");
        // end-snippet

        Assert.True(created);

        // begin-snippet: add-tasks
        await container.AddTaskAsync("check-feed");
        await container.AddTaskAsync("download", new TaskOptions
        {
            TaskData = new DownloadInput { Url = feedUrl },   // any BSON-serializable type, or a BsonDocument
            DependsOn = ["check-feed"],                        // runs after check-feed
            MaxRetries = 3,                                    // the defaults
            RetryDelay = TimeSpan.FromSeconds(30),
        });
        // end-snippet

        var stored = await docs.StoredAsync("epf-import:2026-11-28");
        Assert.Equal(["check-feed", "download"], stored["tasks"].AsBsonArray.Select(t => t["name"].AsString));
        Assert.Equal(feedUrl, stored["tasks"][1]["taskData"]["Url"].AsString);
        Assert.Equal(["check-feed"], stored["tasks"][1]["dependsOn"].AsBsonArray.Select(d => d.AsString));

        // begin-snippet: report-progress
        await container.UpdateProgressAsync("download", 42.5, "412 of 970 MB");
        await container.UpdateTaskAsync("download", new TaskChanges { ProcessingData = new { Offset = 432_013_312L } });
        await container.UpdateTaskAsync("download", new TaskChanges { Status = TaskRunStatus.Completed });
        // end-snippet

        stored = await docs.StoredAsync("epf-import:2026-11-28");
        Assert.Equal("completed", stored["tasks"][1]["status"].AsString);
        Assert.Equal(432_013_312L, stored["tasks"][1]["processingData"]["Offset"].ToInt64());
        Assert.Equal("412 of 970 MB", stored["tasks"][1]["statusText"].AsString);

        // begin-snippet: read-state
        var run = await client.GetTaskContainerAsync("epf-import:2026-11-28");   // null when there is no such container
        if (run is not null)
        {
            Console.WriteLine($"{run.PercentageComplete:0.0}% - complete: {run.IsComplete}, failed: {run.HasFailed}");
            foreach (var task in run.Tasks)
            {
                Console.WriteLine($"{task.Name}: {task.Status} {task.PercentageComplete}% {task.StatusText} {task.LastError}");
            }
        }
        // end-snippet

        Assert.Equal(
            [$"{50.0:0.0}% - complete: False, failed: False", "check-feed: Pending 0%", "download: Completed 100% 412 of 970 MB"],
            console.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()));
    }
}
