using PersistentTaskStatus.TestServer.Storage;

namespace PersistentTaskStatus.TestServer.Tests.Storage;

// Like the oplog, whose size is capped (https://www.mongodb.com/docs/manual/core/replica-set-oplog/#oplog-size), the
// change log keeps a bounded amount of history; resuming before it is ChangeStreamHistoryLost.
public sealed class ChangeLogTests
{
    [Fact]
    public void The_log_drops_its_oldest_entries_once_the_documents_it_holds_pass_the_byte_budget()
    {
        var log = new ChangeLog();
        var document = new BsonDocument("_id", 1);
        const long entryBytes = 64L * 1024 * 1024;

        for (var i = 0; i < 6; i++)
        {
            log.Append("insert", "db", "c", documentId: i, after: document, bytes: entryBytes);
        }

        // 6 × 64 MB is past the 256 MB budget: only the newest four are kept.
        Assert.Equal(6, log.LastSequence);
        Assert.Equal(3, log.FirstKeptSequence);
        Assert.Equal([3L, 4L, 5L, 6L], log.After(0).Select(e => e.Sequence));
    }

    [Fact]
    public void The_byte_budget_is_the_one_configured()
    {
        var log = new ChangeLog(TimeProvider.System, maxBytes: 1000);

        for (var i = 0; i < 10; i++)
        {
            log.Append("insert", "db", "c", documentId: i, after: new BsonDocument("_id", i), bytes: 300);
        }

        Assert.Equal(1000, log.MaxBytes);
        Assert.Equal([8L, 9L, 10L], log.After(0).Select(e => e.Sequence));
    }

    // MongoDB resumes only when the oldest oplog entry is at or before the resume point: the oplog scan asserts that its
    // minimum timestamp is still there (OplogQueryMinTsMissing, reported as ChangeStreamHistoryLost).
    [Fact]
    public void A_stream_can_resume_after_a_kept_entry_but_not_after_one_that_left_the_log()
    {
        var log = new ChangeLog(TimeProvider.System, maxBytes: 1000);
        for (var i = 0; i < 10; i++)
        {
            log.Append("insert", "db", "c", documentId: i, after: new BsonDocument("_id", i), bytes: 300);
        }

        Assert.True(log.CanResumeAfter(8));
        Assert.True(log.CanResumeAfter(10));
        Assert.False(log.CanResumeAfter(7));
        Assert.False(log.CanResumeAfter(0));
        Assert.True(new ChangeLog(TimeProvider.System).CanResumeAfter(0));
    }

    [Fact]
    public void A_stream_can_start_at_a_cluster_time_only_from_the_oldest_kept_entry_on()
    {
        var log = new ChangeLog(TimeProvider.System, maxBytes: 1000);
        var entries = Enumerable.Range(0, 10)
            .Select(i => log.Append("insert", "db", "c", documentId: i, after: new BsonDocument("_id", i), bytes: 300))
            .ToList();

        Assert.True(log.CanStartAt(entries[7].ClusterTime));
        Assert.False(log.CanStartAt(entries[6].ClusterTime));
        Assert.True(new ChangeLog().CanStartAt(new BsonTimestamp(1, 1)));
    }

    [Fact]
    public void Entries_are_numbered_in_commit_order_with_increasing_cluster_times()
    {
        var log = new ChangeLog();

        var first = log.Append("insert", "db", "c", documentId: 1);
        var second = log.Append("delete", "db", "c", documentId: 1);

        Assert.Equal(first.Sequence + 1, second.Sequence);
        Assert.True(second.ClusterTime.CompareTo(first.ClusterTime) > 0);
        Assert.Null(second.Before);
    }
}
