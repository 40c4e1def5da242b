using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>
/// The old node module's way of reporting progress: read the whole container document, change the task and the
/// summary in memory, and replace the whole document. Two round trips, both carrying every task, and not atomic (a
/// concurrent writer's change between the two is lost), which is what the library's one findAndModify replaced.
/// </summary>
internal static class OldModule
{
    public static async Task UpdateProgressAsync(IMongoCollection<BsonDocument> collection, string containerName, string taskName, double percentage, string statusText)
    {
        var container = await collection.Find(new BsonDocument(Fields.Name, containerName)).FirstOrDefaultAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No container '{containerName}'.");
        var tasks = container[Fields.Tasks].AsBsonArray;
        var task = tasks.Select(t => t.AsBsonDocument).First(t => t[Fields.Name].AsString == taskName);
        var now = DateTime.UtcNow;
        if (task[Fields.PercentageComplete].ToDouble() != percentage)
        {
            task[Fields.ProgressChangedAt] = now;
        }

        task[Fields.PercentageComplete] = percentage;
        task[Fields.StatusText] = statusText;
        if (task[Fields.Status].AsString == Fields.StatusValues.Pending)
        {
            task[Fields.Status] = Fields.StatusValues.Running;
        }

        task[Fields.UpdatedAt] = now;

        // The summary, recomputed in memory as the library's pipeline does on the server.
        double totalWeight = 0, weighted = 0;
        int completed = 0, failed = 0, running = 0;
        var allComplete = true;
        var anyFailed = false;
        foreach (var t in tasks.Select(t => t.AsBsonDocument))
        {
            var weight = t[Fields.Weight].ToDouble();
            var isComplete = t[Fields.IsComplete].AsBoolean;
            totalWeight += weight;
            weighted += weight * (isComplete ? 100 : t[Fields.PercentageComplete].ToDouble());
            allComplete &= isComplete;
            anyFailed |= t[Fields.HasFailed].AsBoolean;
            switch (t[Fields.Status].AsString)
            {
                case Fields.StatusValues.Completed: completed++; break;
                case Fields.StatusValues.Failed: failed++; break;
                case Fields.StatusValues.Running: running++; break;
            }
        }

        container[Fields.TaskCount] = tasks.Count;
        container[Fields.CompletedCount] = completed;
        container[Fields.FailedCount] = failed;
        container[Fields.RunningCount] = running;
        container[Fields.IsComplete] = allComplete;
        container[Fields.HasFailed] = anyFailed;
        container[Fields.PercentageComplete] = totalWeight > 0 ? weighted / totalWeight : allComplete ? 100.0 : 0.0;
        container[Fields.UpdatedAt] = now;
        await collection.ReplaceOneAsync(new BsonDocument(Fields.Id, container[Fields.Id]), container).ConfigureAwait(false);
    }
}
