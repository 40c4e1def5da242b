using MongoDB.Bson;

namespace PersistentTaskStatus.Storage;

/// <summary>
/// The one place where every filter, update and projection is built. Each change is one <c>findAndModify</c> with an
/// aggregation-pipeline update: the first stage changes the task, the last stage recomputes the container's summary
/// from its tasks, so that no reader ever sees the two disagree. User values (names, texts, data) enter a pipeline
/// only inside <c>$literal</c>, and filters compare them as values, so no name can become an operator or a path.
/// The database clock (<c>$$NOW</c>) stamps every time.
/// </summary>
internal static partial class ContainerCommands
{
    private const string Now = "$$NOW";
    private const string This = "$$this";

    /// <summary>The container's fields without its tasks.</summary>
    public static readonly BsonDocument SummaryProjection = new()
    {
        { Fields.Name, 1 },
        { Fields.IsComplete, 1 },
        { Fields.HasFailed, 1 },
        { Fields.PercentageComplete, 1 },
        { Fields.TaskCount, 1 },
        { Fields.CompletedCount, 1 },
        { Fields.FailedCount, 1 },
        { Fields.RunningCount, 1 },
        { Fields.CreatedAt, 1 },
        { Fields.UpdatedAt, 1 },
        { Fields.ExpiresAt, 1 },
    };

    /// <summary>
    /// Recomputes the summary from the tasks: complete when every task is (so an empty container is), failed when any
    /// task failed, the percentage as the weighted mean of the tasks' percentages with finished tasks counting 100.
    /// </summary>
    private static readonly BsonDocument SummaryStage = BuildSummaryStage();

    public static BsonDocument ByName(string containerName) => new(Fields.Name, containerName);

    /// <summary>The summary plus the one task (by value, through <c>$elemMatch</c>): the reply of a task change.</summary>
    public static BsonDocument OneTaskProjection(string taskName) =>
        new BsonDocument(SummaryProjection) { { Fields.Tasks, new BsonDocument("$elemMatch", new BsonDocument(Fields.Name, taskName)) } };

    /// <summary>
    /// Gets or creates a container. The new document's <c>_id</c> is chosen here, so the caller knows it created the
    /// container exactly when the reply carries that <c>_id</c>; an existing container is left as it is (the pipeline
    /// yields the same document, which MongoDB does not write).
    /// </summary>
    public static ContainerWrite GetOrCreate(string containerName, ObjectId newId) => new(
        ByName(containerName),
        [
            new BsonDocument("$set", new BsonDocument
            {
                { Fields.Id, IfNull("$" + Fields.Id, Literal(newId)) },
                { Fields.Name, Literal(containerName) },
                { Fields.CreatedAt, IfNull("$" + Fields.CreatedAt, Now) },
                { Fields.UpdatedAt, IfNull("$" + Fields.UpdatedAt, Now) },
                { Fields.Tasks, IfNull("$" + Fields.Tasks, new BsonArray()) },
            }),
            SummaryStage,
        ],
        new BsonDocument(),
        Upsert: true);

    /// <summary>
    /// Appends a task, only if the container has no task of that name and has every dependency: the filter makes the
    /// check and the write one atomic step.
    /// </summary>
    public static ContainerWrite AddTask(string containerName, BsonDocument task, IReadOnlyCollection<string> dependsOn, bool runAfterPrevious)
    {
        var taskName = task[Fields.Name].AsString;
        var nameCondition = new BsonDocument("$ne", taskName);
        if (dependsOn.Count > 0)
        {
            nameCondition.Add("$all", new BsonArray(dependsOn));
        }

        var stamps = new BsonDocument { { Fields.CreatedAt, Now }, { Fields.UpdatedAt, Now } };
        if (runAfterPrevious)
        {
            stamps[Fields.DependsOn] = AfterPrevious(new BsonArray(dependsOn));
        }

        var stamped = new BsonDocument("$mergeObjects", new BsonArray { Literal(task), stamps });
        return new ContainerWrite(
            new BsonDocument { { Fields.Name, containerName }, { $"{Fields.Tasks}.{Fields.Name}", nameCondition } },
            Append(new BsonArray { stamped }, withDependencies: dependsOn.Count > 0 || runAfterPrevious),
            OneTaskProjection(taskName));
    }

    /// <summary>
    /// Appends several tasks in one write, only if none of their names is taken and every dependency outside the batch
    /// exists; the reply carries the summary and the added tasks (an expression projection, by value).
    /// </summary>
    public static ContainerWrite AddTasks(string containerName, IReadOnlyList<BsonDocument> tasks, IReadOnlyCollection<string> externalDependencies, bool firstRunsAfterPrevious)
    {
        var names = new BsonArray(tasks.Select(t => t[Fields.Name]));
        var nameCondition = new BsonDocument("$nin", names);
        if (externalDependencies.Count > 0)
        {
            nameCondition.Add("$all", new BsonArray(externalDependencies));
        }

        var stamped = new BsonArray();
        for (var i = 0; i < tasks.Count; i++)
        {
            var stamps = new BsonDocument { { Fields.CreatedAt, Now }, { Fields.UpdatedAt, Now } };
            if (i == 0 && firstRunsAfterPrevious)
            {
                stamps[Fields.DependsOn] = AfterPrevious(tasks[0][Fields.DependsOn].AsBsonArray);
            }

            stamped.Add(new BsonDocument("$mergeObjects", new BsonArray { Literal(tasks[i]), stamps }));
        }

        return new ContainerWrite(
            new BsonDocument { { Fields.Name, containerName }, { $"{Fields.Tasks}.{Fields.Name}", nameCondition } },
            Append(stamped, withDependencies: firstRunsAfterPrevious || tasks.Any(t => t[Fields.DependsOn].AsBsonArray.Count > 0)),
            new BsonDocument(SummaryProjection)
            {
                {
                    Fields.Tasks,
                    new BsonDocument("$filter", new BsonDocument
                    {
                        { "input", "$" + Fields.Tasks },
                        { "cond", new BsonDocument("$in", new BsonArray { This + "." + Fields.Name, Literal(names) }) },
                    })
                },
            });
    }

    /// <summary>
    /// Appends tasks, then recomputes the summary. A new task that depends on a task that failed for good fails at once,
    /// naming it, as it would have had it been there when its dependency failed: no task waits on a failed one.
    /// </summary>
    private static BsonArray Append(BsonArray stamped, bool withDependencies)
    {
        BsonArray pipeline =
        [
            new BsonDocument("$set", new BsonDocument
            {
                { Fields.Tasks, new BsonDocument("$concatArrays", new BsonArray { "$" + Fields.Tasks, stamped }) },
                { Fields.UpdatedAt, Now },
            }),
        ];
        if (withDependencies)
        {
            pipeline.Add(PropagateFailuresStage);
        }

        pipeline.Add(SummaryStage);
        return pipeline;
    }

    /// <summary>
    /// True when no task that the named task depends on failed for good: the condition for that task to be pending or
    /// running (a <c>$expr</c> of the filter, so a write that would break it matches nothing and writes nothing).
    /// </summary>
    private static BsonDocument NoFailedDependency(string taskName) => new("$let", new BsonDocument
    {
        {
            "vars",
            new BsonDocument("dependsOn", IfNull(
                new BsonDocument("$getField", new BsonDocument
                {
                    { "field", Fields.DependsOn },
                    {
                        "input",
                        new BsonDocument("$arrayElemAt", new BsonArray
                        {
                            new BsonDocument("$filter", new BsonDocument { { "input", "$" + Fields.Tasks }, { "cond", Eq(This + "." + Fields.Name, Literal(taskName)) } }),
                            0,
                        })
                    },
                }),
                new BsonArray()))
        },
        {
            "in",
            new BsonDocument("$not", new BsonArray
            {
                new BsonDocument("$anyElementTrue", new BsonArray
                {
                    new BsonDocument("$map", new BsonDocument
                    {
                        { "input", "$" + Fields.Tasks },
                        {
                            "in",
                            new BsonDocument("$and", new BsonArray
                            {
                                Eq(This + "." + Fields.HasFailed, true),
                                new BsonDocument("$in", new BsonArray { This + "." + Fields.Name, "$$dependsOn" }),
                            })
                        },
                    }),
                }),
            })
        },
    });

    /// <summary>The dependencies plus the container's last task, read in the same write that appends the new one.</summary>
    private static BsonDocument AfterPrevious(BsonArray dependsOn) => new("$concatArrays", new BsonArray
    {
        Literal(dependsOn),
        Cond(
            new BsonDocument("$gt", new BsonArray { new BsonDocument("$size", "$" + Fields.Tasks), 0 }),
            new BsonArray { new BsonDocument("$last", $"${Fields.Tasks}.{Fields.Name}") },
            new BsonArray()),
    });

    /// <summary>
    /// The hot path: sets a task's percentage (and status text), marks a pending task running, and stamps when the
    /// percentage last moved. Only an unfinished task matches.
    /// </summary>
    public static ContainerWrite UpdateProgress(string containerName, string taskName, double percentage, string? statusText)
    {
        var changes = new BsonDocument
        {
            { Fields.PercentageComplete, Literal(percentage) },
            {
                Fields.Status,
                Cond(Eq(This + "." + Fields.Status, Fields.StatusValues.Pending), Fields.StatusValues.Running, This + "." + Fields.Status)
            },
            {
                Fields.ProgressChangedAt,
                Cond(Eq(This + "." + Fields.PercentageComplete, Literal(percentage)), This + "." + Fields.ProgressChangedAt, Now)
            },
            { Fields.UpdatedAt, Now },
        };
        if (statusText is not null)
        {
            changes.Add(Fields.StatusText, Literal(statusText));
        }

        return new ContainerWrite(
            new BsonDocument
            {
                { Fields.Name, containerName },
                {
                    Fields.Tasks,
                    new BsonDocument("$elemMatch", new BsonDocument { { Fields.Name, taskName }, { Fields.IsComplete, false } })
                },
            },
            ChangeTask(taskName, changes),
            OneTaskProjection(taskName));
    }

    /// <summary>The general change of <see cref="TaskContainer.UpdateTaskAsync"/>: every given field in one write.</summary>
    public static ContainerWrite UpdateTask(string containerName, string taskName, TaskChanges changes, BsonDocument? processingData)
    {
        var set = new BsonDocument();
        if (changes.PercentageComplete is { } percentage)
        {
            set[Fields.PercentageComplete] = Literal(percentage);
            set[Fields.ProgressChangedAt] =
                Cond(Eq(This + "." + Fields.PercentageComplete, Literal(percentage)), This + "." + Fields.ProgressChangedAt, Now);
        }

        if (changes.StatusText is not null)
        {
            set[Fields.StatusText] = Literal(changes.StatusText);
        }

        if (processingData is not null)
        {
            set[Fields.ProcessingData] = Literal(processingData);
        }

        if (changes.MaxRetries is { } maxRetries)
        {
            set[Fields.MaxRetries] = maxRetries;
        }

        if (changes.RetryDelay is { } retryDelay)
        {
            set[Fields.RetryDelayMs] = (long)retryDelay.TotalMilliseconds;
        }

        if (changes.Weight is { } weight)
        {
            set[Fields.Weight] = Literal(weight);
        }

        if (changes.Error is { } error)
        {
            set[Fields.LastError] = ErrorDocument(error);
        }

        switch (changes.Status)
        {
            case TaskRunStatus.Completed:
                set.Merge(Finished(failed: false), overwriteExistingElements: true);
                break;
            case TaskRunStatus.Failed:
                set.Merge(Finished(failed: true), overwriteExistingElements: true);
                break;
            case TaskRunStatus.Pending or TaskRunStatus.Running:
                set[Fields.Status] = Fields.StatusValues.Of(changes.Status.Value);
                set[Fields.ProgressChangedAt] = Now;
                set[Fields.IsComplete] = false;
                set[Fields.HasFailed] = false;
                set[Fields.TaskEndedAt] = BsonNull.Value;
                break;
        }

        set[Fields.UpdatedAt] = Now;
        var filter = new BsonDocument { { Fields.Name, containerName }, { $"{Fields.Tasks}.{Fields.Name}", taskName } };
        if (changes.Status is TaskRunStatus.Pending or TaskRunStatus.Running)
        {
            filter["$expr"] = NoFailedDependency(taskName);
        }

        return new ContainerWrite(
            filter,
            ChangeTask(taskName, set, propagateFailures: changes.Status == TaskRunStatus.Failed),
            OneTaskProjection(taskName));
    }

    /// <summary>Removes a task, unless another task depends on it.</summary>
    public static ContainerWrite DeleteTask(string containerName, string taskName) => new(
        new BsonDocument
        {
            { Fields.Name, containerName },
            { $"{Fields.Tasks}.{Fields.Name}", taskName },
            { $"{Fields.Tasks}.{Fields.DependsOn}", new BsonDocument("$ne", taskName) },
        },
        [
            new BsonDocument("$set", new BsonDocument
            {
                {
                    Fields.Tasks,
                    new BsonDocument("$filter", new BsonDocument
                    {
                        { "input", "$" + Fields.Tasks },
                        { "cond", new BsonDocument("$ne", new BsonArray { This + "." + Fields.Name, Literal(taskName) }) },
                    })
                },
                { Fields.UpdatedAt, Now },
            }),
            SummaryStage,
        ],
        SummaryProjection);

    /// <summary>
    /// A pipeline that merges <paramref name="changes"/> into the named task, then (when the change can fail a task)
    /// fails the tasks that depend on a failed one, then recomputes the summary.
    /// </summary>
    private static BsonArray ChangeTask(string taskName, BsonDocument changes, bool propagateFailures = false)
    {
        BsonArray pipeline = [
        new BsonDocument("$set", new BsonDocument
        {
            {
                Fields.Tasks,
                new BsonDocument("$map", new BsonDocument
                {
                    { "input", "$" + Fields.Tasks },
                    {
                        "in",
                        Cond(
                            Eq(This + "." + Fields.Name, Literal(taskName)),
                            new BsonDocument("$mergeObjects", new BsonArray { This, changes }),
                            This)
                    },
                })
            },
            { Fields.UpdatedAt, Now },
        }),
        ];
        if (propagateFailures)
        {
            pipeline.Add(PropagateFailuresStage);
        }

        pipeline.Add(SummaryStage);
        return pipeline;
    }

    /// <summary>The fields of a task that finished: completed, or failed for good.</summary>
    private static BsonDocument Finished(bool failed)
    {
        var fields = new BsonDocument
        {
            { Fields.Status, failed ? Fields.StatusValues.Failed : Fields.StatusValues.Completed },
            { Fields.IsComplete, true },
            { Fields.HasFailed, failed },
            { Fields.TaskEndedAt, Now },
            {
                Fields.DurationMs,
                Cond(
                    new BsonDocument("$eq", new BsonArray { new BsonDocument("$type", This + "." + Fields.LastInvokedAt), "date" }),
                    new BsonDocument("$subtract", new BsonArray { Now, This + "." + Fields.LastInvokedAt }),
                    BsonNull.Value)
            },
            { Fields.LeasedTill, BsonNull.Value },
            { Fields.NextAttemptAt, BsonNull.Value },
        };
        if (!failed)
        {
            fields[Fields.PercentageComplete] = 100.0;
        }

        return fields;
    }

    private static BsonDocument ErrorDocument(Exception error) => new()
    {
        { Fields.ErrorType, Literal(error.GetType().FullName ?? error.GetType().Name) },
        { Fields.ErrorMessage, Literal(error.Message) },
        { Fields.ErrorAt, Now },
    };

    private static BsonDocument BuildSummaryStage()
    {
        var tasks = "$" + Fields.Tasks;
        BsonDocument CountWhere(string status) => new("$size", new BsonDocument("$filter", new BsonDocument
        {
            { "input", tasks },
            { "cond", Eq(This + "." + Fields.Status, status) },
        }));

        var totalWeight = new BsonDocument("$sum", $"{tasks}.{Fields.Weight}");
        var weightedProgress = new BsonDocument("$sum", new BsonDocument("$map", new BsonDocument
        {
            { "input", tasks },
            {
                "in",
                new BsonDocument("$multiply", new BsonArray
                {
                    This + "." + Fields.Weight,
                    Cond(This + "." + Fields.IsComplete, 100.0, This + "." + Fields.PercentageComplete),
                })
            },
        }));
        var isComplete = new BsonDocument("$allElementsTrue", new BsonArray { $"{tasks}.{Fields.IsComplete}" });
        return new BsonDocument("$set", new BsonDocument
        {
            { Fields.TaskCount, new BsonDocument("$size", tasks) },
            { Fields.CompletedCount, CountWhere(Fields.StatusValues.Completed) },
            { Fields.FailedCount, CountWhere(Fields.StatusValues.Failed) },
            { Fields.RunningCount, CountWhere(Fields.StatusValues.Running) },
            { Fields.IsComplete, isComplete },
            { Fields.HasFailed, new BsonDocument("$anyElementTrue", new BsonArray { $"{tasks}.{Fields.HasFailed}" }) },
            {
                Fields.PercentageComplete,
                Cond(
                    new BsonDocument("$gt", new BsonArray { totalWeight, 0 }),
                    new BsonDocument("$divide", new BsonArray { weightedProgress, totalWeight }),
                    Cond(isComplete, 100.0, 0.0))
            },
        });
    }

    /// <summary>
    /// Sets the expiry that the TTL index enforces, when a container finishes (and has tasks): completed or failed
    /// retention from the database's now, kept as it is while the container stays finished, cleared when it reopens.
    /// Null when no retention is configured.
    /// </summary>
    public static BsonDocument? RetentionStage(TimeSpan? completed, TimeSpan? failed)
    {
        if (completed is null && failed is null)
        {
            return null;
        }

        BsonValue Milliseconds(TimeSpan? retention) => retention is { } value ? (long)value.TotalMilliseconds : BsonNull.Value;
        var finished = new BsonDocument("$and", new BsonArray
        {
            "$" + Fields.IsComplete,
            new BsonDocument("$gt", new BsonArray { "$" + Fields.TaskCount, 0 }),
        });
        var expiry = new BsonDocument("$add", new BsonArray
        {
            Now,
            Cond("$" + Fields.HasFailed, Milliseconds(failed), Milliseconds(completed)),
        });
        return new BsonDocument("$set", new BsonDocument(Fields.ExpiresAt, Cond(finished, IfNull("$" + Fields.ExpiresAt, expiry), BsonNull.Value)));
    }

    private static BsonDocument Literal(BsonValue value) => new("$literal", value);

    private static BsonDocument IfNull(BsonValue value, BsonValue replacement) => new("$ifNull", new BsonArray { value, replacement });

    private static BsonDocument Eq(BsonValue a, BsonValue b) => new("$eq", new BsonArray { a, b });

    private static BsonDocument Cond(BsonValue condition, BsonValue then, BsonValue otherwise) =>
        new("$cond", new BsonArray { condition, then, otherwise });
}
