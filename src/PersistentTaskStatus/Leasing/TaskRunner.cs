namespace PersistentTaskStatus;

/// <summary>The run loop behind <see cref="TaskContainer.RunAsync"/>.</summary>
internal sealed class TaskRunner(
    TaskContainer container,
    TaskStatusClient client,
    string owner,
    Func<TaskLease, CancellationToken, Task> work,
    TaskRunOptions options)
{
    private int leased;
    private int completed;
    private int failedAttempts;
    private int leasesLost;
    private int released;

    public async Task<TaskRunResult> RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                while (running.Count < options.MaxDegreeOfParallelism)
                {
                    TaskLease? lease;
                    try
                    {
                        lease = await container.TryLeaseNextTaskAsync(owner, options.LeaseDuration, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
                    {
                        // MongoDB did not answer (a failover, a partition): ask again after the poll interval.
                        break;
                    }

                    if (lease is null)
                    {
                        break;
                    }

                    Interlocked.Increment(ref leased);
                    running.Add(RunOneAsync(lease, cancellationToken));
                }

                if (running.Count == 0 && container.IsComplete)
                {
                    break;
                }

                // Wake when a task finishes (its slot is free, its dependents may be ready) or after the poll interval
                // (a retry time came, another worker finished a dependency).
                var poll = Task.Delay(options.PollInterval, client.TimeProvider, cancellationToken);
                await Task.WhenAny(running.Append(poll)).ConfigureAwait(false);
                running.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }

        return new TaskRunResult(leased, completed, failedAttempts, leasesLost, released);
    }

    private async Task RunOneAsync(TaskLease lease, CancellationToken runCancelled)
    {
        await using (lease.ConfigureAwait(false))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(runCancelled, lease.LeaseLost);
            Exception? failure = null;
            try
            {
                await Task.Run(() => work(lease, linked.Token), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            if (lease.IsLost)
            {
                Interlocked.Increment(ref leasesLost);
            }
            else if (lease.IsEnded)
            {
                // The work completed, failed or released the lease itself.
                if (lease.State.Status == TaskRunStatus.Completed)
                {
                    Interlocked.Increment(ref completed);
                }
            }
            else if (failure is null)
            {
                if (await EndQuietlyAsync(lease, l => l.CompleteAsync(cancellationToken: CancellationToken.None)).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref completed);
                }
            }
            else if (failure is OperationCanceledException && runCancelled.IsCancellationRequested)
            {
                if (await EndQuietlyAsync(lease, l => l.ReleaseAsync(CancellationToken.None)).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref released);
                }
            }
            else if (await EndQuietlyAsync(lease, l => l.FailAsync(failure, CancellationToken.None)).ConfigureAwait(false))
            {
                Interlocked.Increment(ref failedAttempts);
            }
        }
    }

    /// <summary>
    /// Ends a lease that the work did not end; false when it turned out to be lost, or when MongoDB did not answer
    /// (then the lease expires and the task is taken up again, as after a crash).
    /// </summary>
    private async Task<bool> EndQuietlyAsync(TaskLease lease, Func<TaskLease, Task> end)
    {
        try
        {
            await end(lease).ConfigureAwait(false);
            return true;
        }
        catch (LeaseLostException)
        {
            Interlocked.Increment(ref leasesLost);
            return false;
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            return false;
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is TimeoutException or MongoDB.Driver.MongoConnectionException or MongoDB.Driver.MongoExecutionTimeoutException ||
        (ex is MongoDB.Driver.MongoException mongo && mongo.HasErrorLabel("RetryableWriteError"));
}
