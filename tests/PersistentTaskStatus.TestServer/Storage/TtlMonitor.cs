using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>
/// Removes documents past a TTL index's <c>expireAfterSeconds</c>, as MongoDB's TTL monitor does
/// (https://www.mongodb.com/docs/manual/core/index-ttl/): only for single-field indexes, only when the indexed field
/// holds a date or an array of dates (the earliest counts); a document without such a value never expires.
/// </summary>
internal sealed class TtlMonitor : IDisposable
{
    private readonly StorageEngine storage;
    private readonly ITimer? timer;

    /// <summary>A monitor that sweeps every <paramref name="interval"/> by <paramref name="clock"/>, which also judges expiry.</summary>
    public TtlMonitor(StorageEngine storage, TimeSpan interval, TimeProvider clock)
    {
        this.storage = storage;
        if (interval > TimeSpan.Zero && interval != Timeout.InfiniteTimeSpan)
        {
            timer = clock.CreateTimer(_ => Sweep(clock.GetUtcNow().UtcDateTime), null, interval, interval);
        }
    }

    /// <summary>Removes every expired document now; returns how many were removed.</summary>
    public int Sweep(DateTime now)
    {
        var removed = 0;
        lock (storage.SyncRoot)
        {
            foreach (var collection in storage.Databases.SelectMany(d => d.Collections).ToList())
            {
                foreach (var index in collection.Indexes.Where(i => i.ExpireAfterSeconds is not null && i.Key.ElementCount == 1).ToList())
                {
                    var field = index.Key.GetElement(0).Name;
                    var expired = collection.Documents
                        .Where(d => index.Indexes(d) && ExpiresAt(d, field, index.ExpireAfterSeconds!.Value) <= now)
                        .ToList();
                    foreach (var document in expired)
                    {
                        collection.Remove(document);
                        removed++;
                    }
                }
            }
        }

        return removed;
    }

    /// <summary>How many documents some TTL index will remove one day (those whose indexed field holds a date).</summary>
    public int CountExpiring()
    {
        lock (storage.SyncRoot)
        {
            return storage.Databases.SelectMany(d => d.Collections).Sum(collection => collection.Indexes
                .Where(i => i.ExpireAfterSeconds is not null && i.Key.ElementCount == 1)
                .Sum(index => collection.Documents.Count(d =>
                    index.Indexes(d) && ExpiresAt(d, index.Key.GetElement(0).Name, index.ExpireAfterSeconds!.Value) != DateTime.MaxValue)));
        }
    }

    public void Dispose() => timer?.Dispose();

    private static DateTime ExpiresAt(BsonDocument document, string field, long expireAfterSeconds)
    {
        var dates = DocumentPaths.IndexValues(document, field)
            .Where(v => v.BsonType == BsonType.DateTime)
            .Select(v => v.ToUniversalTime())
            .ToList();
        return dates.Count == 0 ? DateTime.MaxValue : dates.Min().AddSeconds(Math.Min(expireAfterSeconds, int.MaxValue));
    }
}
