using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus;

// A worker process for the crash tests, started as `dotnet PersistentTaskStatus.Reliability.Worker.dll <connection
// string> <database> <container> <owner> <steps> <step ms> <lease ms> [hold]`. It runs the container with RunAsync;
// each task is <steps> steps long, and the step count done is saved as the checkpoint after each step. It records in
// the database where each attempt started from (collection "starts") and each completion it made ("completions"), and
// prints a line per checkpoint ("CHECKPOINT <task> <step> <fencing token>") so that the test can kill it mid-task.
// With "hold" it waits after each checkpoint for a line on standard input before it goes on, so that the test kills
// it exactly there, however slowly the test reads (a busy machine would otherwise let the task finish first).
if (args.Length is not (7 or 8) || (args.Length == 8 && args[7] != "hold"))
{
    Console.Error.WriteLine("usage: <connection string> <database> <container> <owner> <steps> <step ms> <lease ms> [hold]");
    return 2;
}

var (connectionString, databaseName, containerName, owner) = (args[0], args[1], args[2], args[3]);
var steps = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
var stepDelay = TimeSpan.FromMilliseconds(int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture));
var leaseDuration = TimeSpan.FromMilliseconds(int.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture));
var hold = args.Length == 8;

using var mongo = new MongoClient(connectionString);
var database = mongo.GetDatabase(databaseName);
var starts = database.GetCollection<BsonDocument>("starts");
var completions = database.GetCollection<BsonDocument>("completions");
using var client = new TaskStatusClient(database);
var container = await client.GetTaskContainerAsync(containerName) ?? throw new InvalidOperationException("no container " + containerName);
Console.WriteLine("READY " + owner);

var result = await container.RunAsync(owner, async (lease, cancellationToken) =>
{
    var from = lease.State.ProcessingData?.GetValue("step", 0).ToInt32() ?? 0;
    await starts.InsertOneAsync(
        new BsonDocument { { "task", lease.TaskName }, { "owner", owner }, { "fencingToken", lease.FencingToken }, { "attempt", lease.Attempt }, { "fromStep", from } },
        cancellationToken: cancellationToken);
    for (var step = from; step < steps; step++)
    {
        await Task.Delay(stepDelay, cancellationToken);
        await lease.SaveCheckpointAsync(new BsonDocument("step", step + 1), cancellationToken);
        Console.WriteLine($"CHECKPOINT {lease.TaskName} {step + 1} {lease.FencingToken}");
        if (hold)
        {
            await Console.In.ReadLineAsync(cancellationToken);
        }
    }

    await lease.CompleteAsync(cancellationToken: cancellationToken);
    await completions.InsertOneAsync(
        new BsonDocument { { "task", lease.TaskName }, { "owner", owner }, { "fencingToken", lease.FencingToken } },
        cancellationToken: CancellationToken.None);
    Console.WriteLine($"COMPLETED {lease.TaskName} {lease.FencingToken}");
}, new TaskRunOptions { LeaseDuration = leaseDuration, PollInterval = TimeSpan.FromMilliseconds(100) });

Console.WriteLine($"DONE {result.Completed}");
return 0;
