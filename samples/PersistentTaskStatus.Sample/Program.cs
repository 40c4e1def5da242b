using MongoDB.Driver;
using PersistentTaskStatus;
using PersistentTaskStatus.TestServer;

// Runs on the MongoDB in MONGODB_URI, else on the in-process test server.
var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
await using var embedded = string.IsNullOrWhiteSpace(uri) ? await MongoTestServer.StartAsync() : null;
Console.WriteLine(embedded is null
    ? "Using the MongoDB given by MONGODB_URI."
    : $"Using the in-process test server at {embedded.ConnectionString} (set MONGODB_URI to use another MongoDB).");

using var mongo = new MongoClient(embedded?.ConnectionString ?? uri);
using var client = new TaskStatusClient(mongo.GetDatabase("pts_sample"));

// The old module's two examples: get or create a container, add a task (persisted at once).
var (container, created) = await client.GetOrCreateTaskContainerAsync($"epf-import:{DateTime.UtcNow:yyyy-MM-dd-HHmmss}");
Console.WriteLine($"{(created ? "Created" : "Found")} container '{container.Name}'.");

await container.AddTaskAsync("check-feed");
await container.AddTaskAsync("download-itunes", new TaskOptions { DependsOn = ["check-feed"], Weight = 3 });
await container.AddTaskAsync("download-video", new TaskOptions { DependsOn = ["check-feed"], Weight = 3 });
await container.AddTaskAsync("import", new TaskOptions { DependsOn = ["download-itunes", "download-video"], Weight = 2 });

// Progress updates: each one a single atomic write.
await container.UpdateTaskAsync("check-feed", new TaskChanges { Status = TaskRunStatus.Completed, StatusText = "2 new files" });
for (var percent = 0; percent <= 100; percent += 25)
{
    await container.UpdateProgressAsync("download-itunes", percent, $"{percent * 19} of 1900 MB");
    await container.UpdateProgressAsync("download-video", percent / 2.0, $"{percent * 7} of 1400 MB");
    Console.WriteLine($"  run {container.PercentageComplete,5:0.0}%");
}

// Reading a container's state, as an operator would after a crash.
var state = (await client.GetTaskContainerAsync(container.Name))!;
Console.WriteLine($"Container '{state.Name}': {state.PercentageComplete:0.0}% complete, {state.CompletedCount}/{state.TaskCount} tasks done.");
foreach (var task in state.Tasks)
{
    Console.WriteLine($"  {task.Name,-16} {task.Status,-9} {task.PercentageComplete,5:0.0}%  {task.StatusText}");
}

return state.TaskCount == 4 ? 0 : 1;
