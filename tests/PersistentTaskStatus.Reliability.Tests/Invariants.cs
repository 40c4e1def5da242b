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

        // Every write that changes a task stamps it and the container with the same time: no task is newer.
        var updatedAt = container.GetValue("updatedAt", BsonNull.Value);
        foreach (var task in tasks.Where(t => t.GetValue("updatedAt", BsonNull.Value) > updatedAt))
        {
            problems.Add($"container '{name}': task '{task["name"]}' changed at {task["updatedAt"]}, after the container's updatedAt {updatedAt}");
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

    /// <summary>
    /// The problems of one write, from the container before and after it (the same incarnation): a state change moves
    /// <c>updatedAt</c>. Each task the write added or changed carries the write's time, which is the container's new
    /// <c>updatedAt</c>, and that never goes back. Without this the polling watch and <c>ChangedSince</c> queries miss
    /// the change.
    /// </summary>
    public static List<string> CheckChange(BsonDocument? before, BsonDocument? after)
    {
        var problems = new List<string>();
        if (before is null || after is null || before["_id"] != after["_id"])
        {
            return problems;
        }

        var name = after["name"].ToString();
        var updatedAt = after["updatedAt"];
        if (updatedAt < before["updatedAt"])
        {
            problems.Add($"container '{name}': updatedAt went back from {before["updatedAt"]} to {updatedAt}");
        }

        var previous = before["tasks"].AsBsonArray.Select(t => t.AsBsonDocument).ToDictionary(t => t["name"].AsString, StringComparer.Ordinal);
        foreach (var task in after["tasks"].AsBsonArray.Select(t => t.AsBsonDocument))
        {
            var taskName = task["name"].AsString;
            var changed = !previous.TryGetValue(taskName, out var old) || !WithoutUpdatedAt(old).Equals(WithoutUpdatedAt(task));
            if (changed && task["updatedAt"] != updatedAt)
            {
                problems.Add($"container '{name}': task '{taskName}' changed but the write left it at updatedAt {task["updatedAt"]} and the container at {updatedAt} (before: {before["updatedAt"]})");
            }
        }

        return problems;
    }

    private static BsonDocument WithoutUpdatedAt(BsonDocument task)
    {
        var copy = new BsonDocument(task);
        copy.Remove("updatedAt");
        return copy;
    }

    /// <summary>Asserts that every container of the collection is consistent.</summary>
    public static async Task AssertConsistentAsync(IMongoCollection<BsonDocument> collection)
    {
        var documents = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(CancellationToken.None);
        var problems = documents.SelectMany(Check).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
