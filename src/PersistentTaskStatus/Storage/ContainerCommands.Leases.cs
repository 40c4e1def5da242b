using MongoDB.Bson;

namespace PersistentTaskStatus.Storage;

/// <summary>The writes of the worker side: leasing, and what a lease holder may do. Every one filters on the fencing token.</summary>
internal static partial class ContainerCommands
{
    /// <summary>
    /// Leases the first task, in insertion order, that is not complete, not leased (or whose lease expired), whose
    /// retry time has come and whose dependencies all completed, judged by the database clock. The same write first
    /// fails the tasks whose lease expired with no attempt left, and the dependents of failed tasks, so the container
    /// always reaches a final state; any of these changes moves the container's <c>updatedAt</c>. The reply carries the
    /// summary and the leased task (found by <paramref name="leaseId"/>), or no task when none was ready.
    /// </summary>
    public static ContainerWrite TryLease(string containerName, string owner, TimeSpan leaseDuration, ObjectId leaseId)
    {
        var task = "$$task";
        var eligible = new BsonDocument("$and", new BsonArray
        {
            new BsonDocument("$not", new BsonArray { This + "." + Fields.IsComplete }),
            NullOrNotAfterNow(This + "." + Fields.LeasedTill),
            NullOrNotAfterNow(This + "." + Fields.NextAttemptAt),
            new BsonDocument("$setIsSubset", new BsonArray
            {
                IfNull(This + "." + Fields.DependsOn, new BsonArray()),
                "$" + Fields.ScratchCompleted,
            }),
        });
        var leased = new BsonDocument
        {
            { Fields.Status, Fields.StatusValues.Running },
            { Fields.LeaseOwner, Literal(owner) },
            { Fields.LeaseId, Literal(leaseId) },
            { Fields.LeasedTill, new BsonDocument("$add", new BsonArray { Now, (long)leaseDuration.TotalMilliseconds }) },
            { Fields.FencingToken, new BsonDocument("$add", new BsonArray { IfNull("$" + Fields.LastToken, 0L), 1L }) },
            { Fields.InvokeCount, new BsonDocument("$add", new BsonArray { IfNull(task + "." + Fields.InvokeCount, 0), 1 }) },
            { Fields.LastInvokedAt, Now },
            // A new attempt starts its stall clock now: a lease that never reports progress stalls too.
            { Fields.ProgressChangedAt, Now },
            { Fields.NextAttemptAt, BsonNull.Value },
            { Fields.UpdatedAt, Now },
        };
        var leasedSomething = new BsonDocument("$gte", new BsonArray { "$" + Fields.ScratchLeaseIndex, 0 });

        // The stages before the lease stamp each task they change (an expired lease failed, a failure propagated)
        // with $$NOW: the container moves with them even when the write leases nothing.
        var changedATask = new BsonDocument("$or", new BsonArray
        {
            leasedSomething,
            new BsonDocument("$in", new BsonArray { Now, IfNull($"${Fields.Tasks}.{Fields.UpdatedAt}", new BsonArray()) }),
        });
        return new ContainerWrite(
            ByName(containerName),
            [
                ExpireExhaustedLeasesStage,
                PropagateFailuresStage,
                new BsonDocument("$set", new BsonDocument(Fields.ScratchCompleted, new BsonDocument("$map", new BsonDocument
                {
                    { "input", new BsonDocument("$filter", new BsonDocument { { "input", "$" + Fields.Tasks }, { "cond", Eq(This + "." + Fields.Status, Fields.StatusValues.Completed) } }) },
                    { "in", This + "." + Fields.Name },
                }))),
                new BsonDocument("$set", new BsonDocument(Fields.ScratchLeaseIndex, new BsonDocument("$indexOfArray", new BsonArray
                {
                    new BsonDocument("$map", new BsonDocument { { "input", "$" + Fields.Tasks }, { "in", eligible } }),
                    true,
                }))),
                new BsonDocument("$set", new BsonDocument
                {
                    {
                        Fields.Tasks,
                        new BsonDocument("$map", new BsonDocument
                        {
                            { "input", new BsonDocument("$range", new BsonArray { 0, new BsonDocument("$size", "$" + Fields.Tasks) }) },
                            { "as", "i" },
                            {
                                "in",
                                new BsonDocument("$let", new BsonDocument
                                {
                                    { "vars", new BsonDocument("task", new BsonDocument("$arrayElemAt", new BsonArray { "$" + Fields.Tasks, "$$i" })) },
                                    {
                                        "in",
                                        Cond(
                                            Eq("$$i", "$" + Fields.ScratchLeaseIndex),
                                            new BsonDocument("$mergeObjects", new BsonArray { task, leased }),
                                            task)
                                    },
                                })
                            },
                        })
                    },
                    { Fields.LastToken, Cond(leasedSomething, new BsonDocument("$add", new BsonArray { IfNull("$" + Fields.LastToken, 0L), 1L }), IfNull("$" + Fields.LastToken, 0L)) },
                    { Fields.UpdatedAt, Cond(changedATask, Now, "$" + Fields.UpdatedAt) },
                }),
                SummaryStage,
                new BsonDocument("$unset", new BsonArray { Fields.ScratchCompleted, Fields.ScratchLeaseIndex }),
            ],
            new BsonDocument(SummaryProjection) { { Fields.Tasks, new BsonDocument("$elemMatch", new BsonDocument(Fields.LeaseId, leaseId)) } });
    }

    /// <summary>Progress from a lease holder: renews the lease and, when given, saves the checkpoint, in one write.</summary>
    public static ContainerWrite LeaseProgress(LeaseKey lease, double? percentage, string? statusText, BsonDocument? checkpoint)
    {
        var changes = Renewed(lease);
        if (percentage is { } value)
        {
            changes[Fields.PercentageComplete] = Literal(value);
            changes[Fields.ProgressChangedAt] = Cond(Eq(This + "." + Fields.PercentageComplete, Literal(value)), This + "." + Fields.ProgressChangedAt, Now);
        }

        if (statusText is not null)
        {
            changes[Fields.StatusText] = Literal(statusText);
        }

        if (checkpoint is not null)
        {
            changes[Fields.ProcessingData] = Literal(checkpoint);
        }

        return LeaseWrite(lease, ChangeTask(lease.TaskName, changes));
    }

    /// <summary>Completes the leased task, optionally storing its result as its processing data.</summary>
    public static ContainerWrite LeaseComplete(LeaseKey lease, BsonDocument? result)
    {
        var changes = Finished(failed: false);
        changes[Fields.UpdatedAt] = Now;
        if (result is not null)
        {
            changes[Fields.ProcessingData] = Literal(result);
        }

        return LeaseWrite(lease, ChangeTask(lease.TaskName, changes));
    }

    /// <summary>
    /// Records a failed attempt. With attempts left the task goes back to pending until <paramref name="retryDelay"/>
    /// from now (by the database clock); with none left it fails for good, and so do the tasks that depend on it.
    /// </summary>
    public static ContainerWrite LeaseFail(LeaseKey lease, Exception error, TimeSpan retryDelay)
    {
        var exhausted = new BsonDocument("$gte", new BsonArray
        {
            IfNull(This + "." + Fields.InvokeCount, 0),
            new BsonDocument("$add", new BsonArray { IfNull(This + "." + Fields.MaxRetries, TaskOptions.DefaultMaxRetries), 1 }),
        });
        var retry = new BsonDocument
        {
            { Fields.Status, Fields.StatusValues.Pending },
            { Fields.LeasedTill, BsonNull.Value },
            { Fields.NextAttemptAt, new BsonDocument("$add", new BsonArray { Now, (long)retryDelay.TotalMilliseconds }) },
        };
        var changes = new BsonDocument("$mergeObjects", new BsonArray
        {
            new BsonDocument { { Fields.LastError, ErrorDocument(error) }, { Fields.UpdatedAt, Now } },
            Cond(exhausted, Finished(failed: true), retry),
        });
        return LeaseWrite(lease, ChangeTask(lease.TaskName, changes, propagateFailures: true));
    }

    /// <summary>Gives the task back without consuming an attempt.</summary>
    public static ContainerWrite LeaseRelease(LeaseKey lease) => LeaseWrite(lease, ChangeTask(lease.TaskName, new BsonDocument
    {
        { Fields.Status, Fields.StatusValues.Pending },
        { Fields.LeasedTill, BsonNull.Value },
        { Fields.InvokeCount, new BsonDocument("$max", new BsonArray { 0, new BsonDocument("$subtract", new BsonArray { This + "." + Fields.InvokeCount, 1 }) }) },
        { Fields.UpdatedAt, Now },
    }));

    /// <summary>
    /// The operator's reset: the failed task, and the tasks that failed because of it (transitively), go back to
    /// pending with their attempts reset, in one write. Only a task none of whose dependencies failed for good
    /// matches, so that no pending task is left behind a failed one; a dependent is reset only when every failed task
    /// it depends on is reset with it.
    /// </summary>
    public static ContainerWrite Reset(string containerName, string taskName)
    {
        var reset = new BsonDocument
        {
            { Fields.Status, Fields.StatusValues.Pending },
            { Fields.IsComplete, false },
            { Fields.HasFailed, false },
            { Fields.InvokeCount, 0 },
            { Fields.LeasedTill, BsonNull.Value },
            { Fields.NextAttemptAt, BsonNull.Value },
            { Fields.TaskEndedAt, BsonNull.Value },
            { Fields.DurationMs, BsonNull.Value },
            { Fields.LastError, BsonNull.Value },
            { Fields.UpdatedAt, Now },
        };
        var dependsOn = IfNull("$$t." + Fields.DependsOn, new BsonArray());
        BsonDocument DependsOnAnyOf(string names) => new("$gt", new BsonArray
        {
            new BsonDocument("$size", new BsonDocument("$setIntersection", new BsonArray { dependsOn, names })),
            0,
        });
        var isTarget = Eq("$$t." + Fields.Name, Literal(taskName));
        var failedBecauseOfReset = new BsonDocument("$and", new BsonArray
        {
            Eq("$$t." + Fields.Status, Fields.StatusValues.Failed),
            Eq(IfNull("$$t." + Fields.LastError + "." + Fields.ErrorType, ""), TaskError.DependencyFailedType),
            DependsOnAnyOf("$$value.reset"),
            new BsonDocument("$not", new BsonArray { DependsOnAnyOf("$$value.failed") }),
        });
        var walk = new BsonDocument("$reduce", new BsonDocument
        {
            { "input", "$" + Fields.Tasks },
            { "initialValue", new BsonDocument { { "tasks", new BsonArray() }, { "reset", new BsonArray() }, { "failed", new BsonArray() } } },
            {
                "in",
                new BsonDocument("$let", new BsonDocument
                {
                    { "vars", new BsonDocument("t", This) },
                    {
                        "in",
                        Cond(
                            new BsonDocument("$or", new BsonArray { isTarget, failedBecauseOfReset }),
                            new BsonDocument
                            {
                                { "tasks", new BsonDocument("$concatArrays", new BsonArray { "$$value.tasks", new BsonArray { new BsonDocument("$mergeObjects", new BsonArray { "$$t", reset }) } }) },
                                { "reset", new BsonDocument("$concatArrays", new BsonArray { "$$value.reset", new BsonArray { "$$t." + Fields.Name } }) },
                                { "failed", "$$value.failed" },
                            },
                            new BsonDocument
                            {
                                { "tasks", new BsonDocument("$concatArrays", new BsonArray { "$$value.tasks", new BsonArray { "$$t" } }) },
                                { "reset", "$$value.reset" },
                                {
                                    "failed",
                                    Cond(
                                        Eq("$$t." + Fields.Status, Fields.StatusValues.Failed),
                                        new BsonDocument("$concatArrays", new BsonArray { "$$value.failed", new BsonArray { "$$t." + Fields.Name } }),
                                        "$$value.failed")
                                },
                            })
                    },
                })
            },
        });
        return new ContainerWrite(
            new BsonDocument
            {
                { Fields.Name, containerName },
                { Fields.Tasks, new BsonDocument("$elemMatch", new BsonDocument { { Fields.Name, taskName }, { Fields.Status, Fields.StatusValues.Failed } }) },
                { "$expr", NoFailedDependency(taskName) },
            },
            [
                new BsonDocument("$set", new BsonDocument
                {
                    { Fields.Tasks, new BsonDocument("$getField", new BsonDocument { { "field", "tasks" }, { "input", walk } }) },
                    { Fields.UpdatedAt, Now },
                }),
                SummaryStage,
            ],
            new BsonDocument());
    }

    /// <summary>The filter of every lease operation: the container, and the task still holding this fencing token, unfinished.</summary>
    private static ContainerWrite LeaseWrite(LeaseKey lease, BsonArray pipeline, [System.Runtime.CompilerServices.CallerMemberName] string operation = "") => new(
        new BsonDocument
        {
            { Fields.Name, lease.ContainerName },
            { Fields.Id, lease.ContainerId },
            {
                Fields.Tasks,
                new BsonDocument("$elemMatch", new BsonDocument
                {
                    { Fields.Name, lease.TaskName },
                    { Fields.FencingToken, lease.FencingToken },
                    { Fields.IsComplete, false },
                })
            },
        },
        pipeline,
        OneTaskProjection(lease.TaskName))
    {
        Operation = operation,
    };

    private static BsonDocument Renewed(LeaseKey lease) => new()
    {
        { Fields.LeasedTill, new BsonDocument("$add", new BsonArray { Now, (long)lease.Duration.TotalMilliseconds }) },
        { Fields.UpdatedAt, Now },
    };

    /// <summary>Renews the lease from the database's now.</summary>
    public static ContainerWrite LeaseRenew(LeaseKey lease) => LeaseWrite(lease, ChangeTask(lease.TaskName, Renewed(lease)));

    private static BsonDocument NullOrNotAfterNow(string path) => new("$or", new BsonArray
    {
        Eq(IfNull(path, BsonNull.Value), BsonNull.Value),
        new BsonDocument("$lte", new BsonArray { path, Now }),
    });

    /// <summary>Fails, with the error "lease expired", each task whose lease expired after its last allowed attempt.</summary>
    private static readonly BsonDocument ExpireExhaustedLeasesStage = new("$set", new BsonDocument(Fields.Tasks, new BsonDocument("$map", new BsonDocument
    {
        { "input", "$" + Fields.Tasks },
        {
            "in",
            Cond(
                new BsonDocument("$and", new BsonArray
                {
                    Eq(This + "." + Fields.Status, Fields.StatusValues.Running),
                    new BsonDocument("$ne", new BsonArray { IfNull(This + "." + Fields.LeasedTill, BsonNull.Value), BsonNull.Value }),
                    new BsonDocument("$lte", new BsonArray { This + "." + Fields.LeasedTill, Now }),
                    new BsonDocument("$gte", new BsonArray
                    {
                        IfNull(This + "." + Fields.InvokeCount, 0),
                        new BsonDocument("$add", new BsonArray { IfNull(This + "." + Fields.MaxRetries, TaskOptions.DefaultMaxRetries), 1 }),
                    }),
                }),
                new BsonDocument("$mergeObjects", new BsonArray
                {
                    This,
                    Finished(failed: true),
                    new BsonDocument
                    {
                        {
                            Fields.LastError,
                            new BsonDocument
                            {
                                { Fields.ErrorType, TaskError.LeaseExpiredType },
                                { Fields.ErrorMessage, "lease expired" },
                                { Fields.ErrorAt, Now },
                            }
                        },
                        { Fields.UpdatedAt, Now },
                    },
                }),
                This)
        },
    })));

    /// <summary>
    /// Fails every unfinished task with a failed dependency, naming it. Dependencies always name earlier tasks, so one
    /// walk in insertion order carries a failure down a whole chain.
    /// </summary>
    private static readonly BsonDocument PropagateFailuresStage = BuildPropagateFailuresStage();

    private static BsonDocument BuildPropagateFailuresStage()
    {
        var blockedBy = new BsonDocument("$filter", new BsonDocument
        {
            { "input", IfNull("$$t." + Fields.DependsOn, new BsonArray()) },
            { "as", "d" },
            { "cond", new BsonDocument("$in", new BsonArray { "$$d", "$$value.failed" }) },
        });
        var failedByDependency = new BsonDocument("$mergeObjects", new BsonArray
        {
            "$$t",
            Finished(failed: true),
            new BsonDocument
            {
                {
                    Fields.LastError,
                    new BsonDocument
                    {
                        { Fields.ErrorType, TaskError.DependencyFailedType },
                        {
                            Fields.ErrorMessage,
                            new BsonDocument("$concat", new BsonArray { "dependency '", new BsonDocument("$arrayElemAt", new BsonArray { "$$blocked", 0 }), "' failed" })
                        },
                        { Fields.ErrorAt, Now },
                    }
                },
                { Fields.UpdatedAt, Now },
            },
        });
        var walk = new BsonDocument("$reduce", new BsonDocument
        {
            { "input", "$" + Fields.Tasks },
            { "initialValue", new BsonDocument { { "tasks", new BsonArray() }, { "failed", new BsonArray() } } },
            {
                "in",
                new BsonDocument("$let", new BsonDocument
                {
                    { "vars", new BsonDocument("t", This) },
                    {
                        "in",
                        new BsonDocument("$let", new BsonDocument
                        {
                            { "vars", new BsonDocument("blocked", blockedBy) },
                            {
                                "in",
                                Cond(
                                    new BsonDocument("$and", new BsonArray
                                    {
                                        new BsonDocument("$not", new BsonArray { "$$t." + Fields.IsComplete }),
                                        new BsonDocument("$gt", new BsonArray { new BsonDocument("$size", "$$blocked"), 0 }),
                                    }),
                                    new BsonDocument
                                    {
                                        { "tasks", new BsonDocument("$concatArrays", new BsonArray { "$$value.tasks", new BsonArray { failedByDependency } }) },
                                        { "failed", new BsonDocument("$concatArrays", new BsonArray { "$$value.failed", new BsonArray { "$$t." + Fields.Name } }) },
                                    },
                                    new BsonDocument
                                    {
                                        { "tasks", new BsonDocument("$concatArrays", new BsonArray { "$$value.tasks", new BsonArray { "$$t" } }) },
                                        {
                                            "failed",
                                            Cond(
                                                "$$t." + Fields.HasFailed,
                                                new BsonDocument("$concatArrays", new BsonArray { "$$value.failed", new BsonArray { "$$t." + Fields.Name } }),
                                                "$$value.failed")
                                        },
                                    })
                            },
                        })
                    },
                })
            },
        });
        return new BsonDocument("$set", new BsonDocument(Fields.Tasks, new BsonDocument("$getField", new BsonDocument
        {
            { "field", "tasks" },
            { "input", walk },
        })));
    }
}

/// <summary>What identifies a lease in every write: the container, the task, the fencing token, and the lease's length.</summary>
/// <remarks>
/// The container's <c>_id</c> is part of the key: a container deleted and created again under the same name starts
/// its fencing tokens again, and a lease on the old one must not write to the new one.
/// </remarks>
internal sealed record LeaseKey(string ContainerName, BsonValue ContainerId, string TaskName, long FencingToken, TimeSpan Duration);
