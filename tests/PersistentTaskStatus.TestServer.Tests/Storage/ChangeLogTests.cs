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
