namespace PersistentTaskStatus.Reliability.Tests;

/// <summary>What must hold of every stored container, whatever happened to it: checked on the raw document.</summary>
public static class Invariants
{
    /// <summary>The problems found in one container document; empty when it is consistent.</summary>
    public static List<string> Check(BsonDocument container)
    {
        var problems = new List<string>();
        var name = container.GetValue("name", "?").ToString();
        var tasks = container.GetValue("tasks", new BsonArray()).AsBsonArray.Select(t => t.AsBsonDocument).ToList();
        void Expect<T>(string field, T expected, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                problems.Add($"container '{name}': {field} is {actual}, its tasks say {expected}");
            }
        }

        Expect("taskCount", tasks.Count, container.GetValue("taskCount", -1).ToInt32());
        Expect("completedCount", tasks.Count(t => t["status"] == "completed"), container.GetValue("completedCount", -1).ToInt32());
        Expect("failedCount", tasks.Count(t => t["status"] == "failed"), container.GetValue("failedCount", -1).ToInt32());
        Expect("runningCount", tasks.Count(t => t["status"] == "running"), container.GetValue("runningCount", -1).ToInt32());
        Expect("isComplete", tasks.All(t => t["isComplete"].ToBoolean()), container.GetValue("isComplete", BsonNull.Value).ToBoolean());
        Expect("hasFailed", tasks.Any(t => t["hasFailed"].ToBoolean()), container.GetValue("hasFailed", BsonNull.Value).ToBoolean());
        var totalWeight = tasks.Sum(t => t["weight"].ToDouble());
        var expectedPercentage = totalWeight > 0
            ? tasks.Sum(t => t["weight"].ToDouble() * (t["isComplete"].ToBoolean() ? 100 : t["percentageComplete"].ToDouble())) / totalWeight
            : tasks.All(t => t["isComplete"].ToBoolean()) ? 100 : 0;
        var percentage = container.GetValue("percentageComplete", double.NaN).ToDouble();
        if (Math.Abs(percentage - expectedPercentage) > 1e-9)
        {
            problems.Add($"container '{name}': percentageComplete is {percentage}, its tasks say {expectedPercentage}");
        }

        // No task waits on a failed one: it could never run, and its container never finish.
        var failed = tasks.Where(t => t["status"] == "failed").Select(t => t["name"].AsString).ToHashSet(StringComparer.Ordinal);
        foreach (var task in tasks.Where(t => t["status"] == "pending" || t["status"] == "running"))
        {
            var blockedBy = task.GetValue("dependsOn", new BsonArray()).AsBsonArray.Select(d => d.AsString).Where(failed.Contains).ToList();
            if (blockedBy.Count > 0)
            {
                problems.Add($"container '{name}': task '{task["name"].AsString}' is {task["status"].AsString} but depends on '{string.Join("', '", blockedBy)}', which failed for good");
            }
        }

        // A write that changes a task moves the container's updatedAt too (queries by change time rely on it).
        var updatedAt = container.GetValue("updatedAt", BsonNull.Value);
        var latestTask = tasks.Select(t => t.GetValue("updatedAt", BsonNull.Value)).Where(v => v.IsValidDateTime).Select(v => v.ToUniversalTime()).DefaultIfEmpty(DateTime.MinValue).Max();
        if (updatedAt.IsValidDateTime && latestTask > updatedAt.ToUniversalTime())
        {
            problems.Add($"container '{name}': updatedAt {updatedAt.ToUniversalTime():O} is before its task's {latestTask:O}");
        }

        var lastToken = container.GetValue("lastToken", 0L).ToInt64();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var tokens = new Dictionary<long, string>();
        foreach (var task in tasks)
        {
            var taskName = task["name"].AsString;
            if (!names.Add(taskName))
            {
                problems.Add($"container '{name}': task '{taskName}' appears twice");
            }

            var status = task["status"].AsString;
            var isComplete = task["isComplete"].ToBoolean();
            var hasFailed = task["hasFailed"].ToBoolean();
            if (isComplete != status is "completed" or "failed" || hasFailed != (status == "failed"))
            {
                problems.Add($"container '{name}': task '{taskName}' is {status} with isComplete {isComplete}, hasFailed {hasFailed}");
            }

            var token = task.GetValue("fencingToken", 0L).ToInt64();
            if (token > lastToken)
            {
                problems.Add($"container '{name}': task '{taskName}' holds fencing token {token}, above the container's last {lastToken}");
            }

            if (token > 0 && !tokens.TryAdd(token, taskName))
            {
                problems.Add($"container '{name}': fencing token {token} is held by '{tokens[token]}' and '{taskName}' (two leases with one token)");
            }

            var percentageComplete = task["percentageComplete"].ToDouble();
            if (percentageComplete is < 0 or > 100 || double.IsNaN(percentageComplete))
            {
                problems.Add($"container '{name}': task '{taskName}' is at {percentageComplete}%");
            }
        }

        return problems;
    }

    /// <summary>Asserts that every container of the collection is consistent.</summary>
    public static async Task AssertConsistentAsync(IMongoCollection<BsonDocument> collection)
    {
        var documents = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(CancellationToken.None);
        var problems = documents.SelectMany(Check).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
